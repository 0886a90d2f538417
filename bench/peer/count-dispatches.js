// Compute dispatches, counted as webgan's worker counts its own: every call of
// GPUComputePassEncoder.dispatchWorkgroups in this page. Loaded before the peer's library.
window.gpuDispatches = 0;
if (globalThis.GPUComputePassEncoder) {
  const { dispatchWorkgroups } = GPUComputePassEncoder.prototype;
  GPUComputePassEncoder.prototype.dispatchWorkgroups = function (...counts) {
    window.gpuDispatches += 1;
    return dispatchWorkgroups.apply(this, counts);
  };
}
