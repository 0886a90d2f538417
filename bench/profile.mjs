// Where a WebGPU training step's time goes. Opens webgan's page in headless Chromium with GPU
// timestamps allowed, lets it warm up, then profiles one press of Step (the step, its statistics
// read and the sample grid) twice over:
// - on the GPU: a timestamp before and after every compute dispatch gives each kernel's time,
//   and the time the GPU sat idle between kernels waiting for the host;
// - on the host: the worker's CPU profile (DevTools protocol) gives the functions that took the
//   most time themselves, JavaScript and WebAssembly alike.
// Prints JSON lines: one per kernel (by pipeline label, cubecl's kernel name; the heaviest
// first), one per hot host function, then a summary.
//
// usage: node bench/profile.mjs [settings]      (default: batch=64, the page's mlp)
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const settings = process.argv[2] || "batch=64";
/** Most dispatches one profiled press can hold: two timestamps each, in a query set of at most
 * 4096 (WebGPU's limit). */
const MAX_DISPATCHES = 2048;
/** Host functions listed. */
const HOT_FUNCTIONS = 15;

/** Runs at the top of the worker, before the trainer asks for its device: the device gets the
 * timestamp features, and while profiling each dispatch is bracketed by timestamps. */
function instrument(maxDispatches) {
  const features = ["timestamp-query", "chromium-experimental-timestamp-query-inside-passes"];
  // The device the trainer opens, with the timestamp features, which the profile writes with.
  let device;
  const { requestDevice } = GPUAdapter.prototype;
  GPUAdapter.prototype.requestDevice = async function (descriptor = {}) {
    const wanted = new Set([...(descriptor.requiredFeatures || []), ...features.filter((f) => this.features.has(f))]);
    device = await requestDevice.call(this, { ...descriptor, requiredFeatures: [...wanted] });
    return device;
  };
  const run = { on: false, querySet: null, kernels: [], pipelines: new Set(), created: 0, submits: 0 };
  const count = (proto, name, field) => {
    const original = proto[name];
    proto[name] = function (...args) {
      if (run.on) run[field] += 1;
      return original.apply(this, args);
    };
  };
  count(GPUDevice.prototype, "createComputePipeline", "created");
  count(GPUQueue.prototype, "submit", "submits");
  const P = GPUComputePassEncoder.prototype;
  const { setPipeline, dispatchWorkgroups } = P;
  const pipelines = new WeakMap();
  P.setPipeline = function (pipeline) {
    pipelines.set(this, pipeline);
    return setPipeline.call(this, pipeline);
  };
  P.dispatchWorkgroups = function (...counts) {
    if (!run.on || run.kernels.length >= maxDispatches) return dispatchWorkgroups.apply(this, counts);
    const i = 2 * run.kernels.length;
    const pipeline = pipelines.get(this);
    run.kernels.push(pipeline.label || "(unlabelled)");
    run.pipelines.add(pipeline);
    this.writeTimestamp(run.querySet, i);
    dispatchWorkgroups.apply(this, counts);
    this.writeTimestamp(run.querySet, i + 1);
  };
  globalThis.webganProfile = {
    start() {
      if (!device.features.has(features[1])) throw new Error("this adapter cannot write timestamps inside passes");
      Object.assign(run, { on: true, kernels: [], pipelines: new Set(), created: 0, submits: 0 });
      run.querySet = device.createQuerySet({ type: "timestamp", count: 2 * maxDispatches });
    },
    async finish() {
      run.on = false;
      const n = 2 * run.kernels.length;
      const resolved = device.createBuffer({ size: 8 * n, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const read = device.createBuffer({ size: 8 * n, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(run.querySet, 0, n, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, read, 0, 8 * n);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const stamps = new BigInt64Array(read.getMappedRange().slice(0));
      const ms = (a, b) => Number(stamps[b] - stamps[a]) / 1e6;
      const kernels = new Map();
      run.kernels.forEach((kernel, i) => {
        const k = kernels.get(kernel) || { kernel, calls: 0, ms: 0 };
        k.calls += 1;
        k.ms += ms(2 * i, 2 * i + 1);
        kernels.set(kernel, k);
      });
      return {
        dispatches: run.kernels.length, pipelines: run.pipelines.size, created: run.created, submits: run.submits,
        spanMs: ms(0, n - 1), kernels: [...kernels.values()],
      };
    },
  };
}

/** The worker's CPU profiler, through the DevTools protocol: `stop` returns the functions that
 * took the most time themselves. */
async function workerProfiler(page) {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send("Target.getTargets");
  const target = targetInfos.find((t) => t.type === "worker");
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
  let id = 0;
  const waiting = new Map();
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const message = JSON.parse(e.message);
    waiting.get(message.id)?.(message.result);
  });
  const send = (method, params = {}) => new Promise((resolve) => {
    waiting.set(++id, resolve);
    cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method, params }) });
  });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 200 });
  return {
    start: () => send("Profiler.start"),
    async stop() {
      const { profile } = await send("Profiler.stop");
      const nodes = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
      const self = new Map();
      profile.samples.forEach((sample, i) => {
        const frame = nodes.get(sample);
        const name = frame.functionName || `(${frame.url.split("/").pop() || "program"})`;
        self.set(name, (self.get(name) || 0) + profile.timeDeltas[i] / 1000);
      });
      return [...self].sort((a, b) => b[1] - a[1]).slice(0, HOT_FUNCTIONS);
    },
  };
}

const server = await serve(0);
const browser = await launchChromium(["--enable-dawn-features=allow_unsafe_apis"]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const round = (x, digits = 1) => Number(x.toFixed(digits));

try {
  const context = await browser.newContext();
  // No live metrics: they would add the classifier's dispatches to the profiled press.
  await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
  await context.route("**/www/worker.js", async (route) => {
    const original = await (await route.fetch()).text();
    route.fulfill({ contentType: "text/javascript", body: `(${instrument})(${MAX_DISPATCHES});\n${original}` });
  });
  const page = await context.newPage();
  const status = () => page.evaluate(() => window.webgan.status());
  const press = async (step) => {
    const t0 = Date.now();
    await page.click("#step");
    while ((await status()).step < step) await sleep(20);
    return Date.now() - t0;
  };
  await page.goto(`http://127.0.0.1:${server.address().port}/#backend=webgpu&${settings}`);
  let s;
  while (!(s = await status()).ready) {
    if (s.error) throw new Error(s.error);
    await sleep(200);
  }
  const [worker] = page.workers();
  const cpu = await workerProfiler(page);
  await press(1);
  const plainMs = await press(2);
  await worker.evaluate(() => globalThis.webganProfile.start());
  await cpu.start();
  await press(3);
  const hot = await cpu.stop();
  const gpu = await worker.evaluate(() => globalThis.webganProfile.finish());
  gpu.kernels.sort((a, b) => b.ms - a.ms);
  const kernelsMs = gpu.kernels.reduce((a, k) => a + k.ms, 0);
  for (const k of gpu.kernels) {
    console.log(JSON.stringify({
      kernel: k.kernel, calls: k.calls, ms: round(k.ms, 2), ms_per_call: round(k.ms / k.calls, 3), share: round(k.ms / kernelsMs, 3),
    }));
  }
  for (const [name, ms] of hot) console.log(JSON.stringify({ host_function: name, self_ms: round(ms) }));
  console.log(JSON.stringify({
    settings, adapter: s.adapter, first_step_ms: Math.round(s.firstStepMs), press_ms: plainMs,
    dispatches: gpu.dispatches, distinct_pipelines: gpu.pipelines, pipelines_created: gpu.created, submits: gpu.submits,
    kernels_ms: round(kernelsMs), gpu_span_ms: round(gpu.spanMs), gpu_idle_ms: round(gpu.spanMs - kernelsMs),
  }));
} finally {
  await browser.close();
  server.close();
}
