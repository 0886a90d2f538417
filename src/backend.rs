//! Where the tensors live: a GPU through wgpu (WebGPU in a browser; Vulkan, Metal or DX12
//! natively) or burn's pure-Rust CPU backend.

use std::fmt;

use burn::tensor::Device;

use crate::config::TrainConfig;
use crate::footprint::{Footprint, FootprintError, MemoryLimits};

/// The kind of compute device a trainer runs on, as the page and the CLI name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendKind {
    /// A GPU through wgpu: WebGPU in a browser, Vulkan/Metal/DX12 natively.
    Gpu,
    /// burn's pure-Rust CPU backend (`flex`).
    Cpu,
}

impl BackendKind {
    /// The stable name used by the page's status API and the CLI's `--backend` flag.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gpu if cfg!(target_arch = "wasm32") => "webgpu",
            Self::Gpu => "wgpu",
            Self::Cpu => "cpu",
        }
    }
}

/// A ready device together with what a person should be told about it.
#[derive(Clone, Debug)]
pub struct ComputeDevice {
    /// The autodiff-enabled burn device that trainers allocate on.
    pub device: Device,
    /// Which backend this is.
    pub kind: BackendKind,
    /// The adapter's own name (e.g. "SwiftShader Device (Subzero)"), or "CPU".
    pub adapter: String,
    /// What one step may allocate here.
    pub limits: MemoryLimits,
}

impl ComputeDevice {
    /// Whether a run of `config` fits this device's memory; if not, why, and which batch would.
    pub fn admit(&self, config: &TrainConfig) -> Result<(), FootprintError> {
        Footprint::of(config).check(self.limits)
    }
}

impl fmt::Display for ComputeDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            BackendKind::Gpu => write!(f, "{}: {}", self.kind.name(), self.adapter),
            BackendKind::Cpu => f.write_str("CPU"),
        }
    }
}

/// burn's CPU backend, always available. Natively it has the machine's memory; in a browser,
/// WebAssembly's.
pub fn cpu() -> ComputeDevice {
    let limits = if cfg!(target_arch = "wasm32") { MemoryLimits::WASM_CPU } else { MemoryLimits::NONE };
    ComputeDevice { device: Device::flex().autodiff(), kind: BackendKind::Cpu, adapter: "CPU".into(), limits }
}

/// Acquires the default GPU adapter through wgpu, blocking until it is ready (native only;
/// a browser cannot block: use [`gpu_async`]). The runtime can be initialised once per process,
/// so callers keep the returned device and clone it.
#[cfg(not(target_arch = "wasm32"))]
pub fn gpu() -> Result<ComputeDevice, String> {
    describe(Device::wgpu_options().init_with_setup(), "")
}

/// Acquires the default GPU adapter through wgpu without blocking, as a browser requires.
/// `fallback_name` names the adapter where wgpu has no name for it (browsers leave it empty).
pub async fn gpu_async(fallback_name: &str) -> Result<ComputeDevice, String> {
    describe(Device::wgpu_options().init_with_setup_async().await, fallback_name)
}

fn describe(
    init: Result<(Device, burn_wgpu::WgpuSetup), burn_wgpu::WgpuInitError>,
    fallback_name: &str,
) -> Result<ComputeDevice, String> {
    let (device, setup) = init.map_err(|e| format!("could not start the GPU device: {e}"))?;
    let info = setup.adapter.get_info();
    let name = if info.name.is_empty() { fallback_name.to_string() } else { info.name };
    // Software adapters (SwiftShader, lavapipe) are worth naming: they explain slow steps. On
    // them, matrix products that stage tiles through shared memory run many times slower than
    // register blocks read straight from memory, and convolutions run fastest as such products
    // (vendor/cubek-matmul/PATCHED.md, vendor/burn-cubecl/PATCHED.md).
    let software = info.device_type == wgpu::DeviceType::Cpu;
    cubek_matmul::strategy::set_unstaged_fallback(software);
    let adapter = if software { format!("{name} (software)") } else { name };
    // A kernel binds each tensor as one storage buffer: the smaller of the two limits caps it.
    let device_limits = setup.device.limits();
    let max_buffer = device_limits.max_storage_buffer_binding_size.min(device_limits.max_buffer_size);
    let limits = MemoryLimits::gpu(max_buffer);
    Ok(ComputeDevice { device: device.autodiff(), kind: BackendKind::Gpu, adapter, limits })
}
