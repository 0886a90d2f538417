// Where a WebGPU training step's time goes, kernel by kernel. Opens webgan's page in headless
// Chromium with GPU timestamps allowed, lets it warm up, then has the GPU write a timestamp
// before and after every compute dispatch of one press of Step (the step, its statistics read
// and the sample grid). Prints one JSON line per kernel (by pipeline label, which is cubecl's
// kernel name): calls, GPU ms in all and per call; then the totals, the dispatch count, the
// distinct pipelines and the step's time as the page saw it.
//
// usage: node bench/profile.mjs [settings]      (default: batch=64, the page's mlp)
import { chromium } from "playwright-core";
import { serve } from "../tools/serve.mjs";

const settings = process.argv[2] || "batch=64";
/** Most dispatches one profiled press can hold: two timestamps each, in a query set of at most
 * 4096 (WebGPU's limit). */
const MAX_DISPATCHES = 2048;

/** Runs at the top of the worker, before the trainer asks for its device: the device gets the
 * timestamp features, and while `profiling` is on each dispatch is bracketed by timestamps. */
function instrument(maxDispatches) {
  const features = ["timestamp-query", "chromium-experimental-timestamp-query-inside-passes"];
  const { requestDevice } = GPUAdapter.prototype;
  GPUAdapter.prototype.requestDevice = function (descriptor = {}) {
    const wanted = new Set([...(descriptor.requiredFeatures || []), ...features.filter((f) => this.features.has(f))]);
    return requestDevice.call(this, { ...descriptor, requiredFeatures: [...wanted] });
  };
  const run = { on: false, querySet: null, kernels: [], pipelines: new Set(), compiled: 0 };
  const { createComputePipeline } = GPUDevice.prototype;
  GPUDevice.prototype.createComputePipeline = function (descriptor) {
    if (run.on) run.compiled += 1;
    return createComputePipeline.call(this, descriptor);
  };
  // JS-side time inside each GPU call, and when each submit was made.
  run.calls = {};
  run.submits = [];
  const timeCalls = (proto, names) => {
    for (const name of names) {
      const original = proto[name];
      proto[name] = function (...args) {
        const t0 = performance.now();
        try { return original.apply(this, args); } finally {
          if (run.on) {
            const c = run.calls[name] || (run.calls[name] = { n: 0, ms: 0 });
            c.n += 1; c.ms += performance.now() - t0;
            if (name === "submit") run.submits.push(Math.round(t0));
          }
        }
      };
    }
  };
  timeCalls(GPUQueue.prototype, ["submit", "writeBuffer"]);
  timeCalls(GPUDevice.prototype, ["createBindGroup", "createBuffer", "createCommandEncoder"]);
  timeCalls(GPUCommandEncoder.prototype, ["beginComputePass", "finish", "copyBufferToBuffer"]);
  const P = GPUComputePassEncoder.prototype;
  const { setPipeline, dispatchWorkgroups } = P;
  const labels = new WeakMap();
  P.setPipeline = function (pipeline) {
    labels.set(this, pipeline);
    return setPipeline.call(this, pipeline);
  };
  P.dispatchWorkgroups = function (...counts) {
    if (!run.on || run.kernels.length >= maxDispatches) return dispatchWorkgroups.apply(this, counts);
    const i = 2 * run.kernels.length;
    const pipeline = labels.get(this);
    run.kernels.push(pipeline.label || "(unlabelled)");
    run.pipelines.add(pipeline);
    this.writeTimestamp(run.querySet, i);
    dispatchWorkgroups.apply(this, counts);
    this.writeTimestamp(run.querySet, i + 1);
  };
  globalThis.webganProfile = {
    start() {
      const device = globalThis.webganGpuDevice;
      if (!device.features.has(features[1])) throw new Error("this adapter cannot write timestamps inside passes");
      Object.assign(run, { on: true, kernels: [], pipelines: new Set(), compiled: 0, calls: {}, submits: [] });
      run.querySet = device.createQuerySet({ type: "timestamp", count: 2 * maxDispatches });
    },
    async finish() {
      run.on = false;
      const device = globalThis.webganGpuDevice;
      const count = 2 * run.kernels.length;
      const resolved = device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
      const read = device.createBuffer({ size: 8 * count, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      const encoder = device.createCommandEncoder();
      encoder.resolveQuerySet(run.querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, read, 0, 8 * count);
      device.queue.submit([encoder.finish()]);
      await read.mapAsync(GPUMapMode.READ);
      const stamps = new BigInt64Array(read.getMappedRange().slice(0));
      const kernels = new Map();
      run.kernels.forEach((kernel, i) => {
        const ms = Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e6;
        const k = kernels.get(kernel) || { kernel, calls: 0, ms: 0 };
        k.calls += 1;
        k.ms += ms;
        kernels.set(kernel, k);
      });
      const span = Number(stamps[count - 1] - stamps[0]) / 1e6;
      const gaps = run.kernels.map((kernel, i) => ({ i, kernel, ms: i ? Number(stamps[2 * i] - stamps[2 * i - 1]) / 1e6 : 0 }));
      gaps.sort((a, b) => b.ms - a.ms);
      globalThis.webganGaps = { gaps: gaps.slice(0, 5), calls: run.calls, submits: run.submits.map((t) => t - run.submits[0]) };
      return { dispatches: run.kernels.length, pipelines: run.pipelines.size, compiled: run.compiled, spanMs: span, kernels: [...kernels.values()] };
    },
  };
}

const server = await serve(0);
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--enable-unsafe-webgpu", "--enable-dawn-features=allow_unsafe_apis", "--disable-quic",
    "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage"],
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The worker's JavaScript and WebAssembly CPU profiler, through the DevTools protocol: `stop`
 * returns the functions that took the most time themselves. */
async function workerProfiler(page) {
  const cdp = await page.context().newCDPSession(page);
  const { targetInfos } = await cdp.send("Target.getTargets");
  const target = targetInfos.find((t) => t.type === "worker");
  const { sessionId } = await cdp.send("Target.attachToTarget", { targetId: target.targetId, flatten: false });
  let id = 0;
  const waiting = new Map();
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const message = JSON.parse(e.message);
    if (waiting.has(message.id)) waiting.get(message.id)(message.result);
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
      const self = new Map();
      const byId = new Map(profile.nodes.map((n) => [n.id, n]));
      profile.samples.forEach((sample, i) => {
        const frame = byId.get(sample).callFrame;
        const name = frame.functionName || `(${frame.url.split("/").pop() || "program"})`;
        self.set(name, (self.get(name) || 0) + profile.timeDeltas[i] / 1000);
      });
      return [...self].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([name, ms]) => ({ function: name, self_ms: Math.round(ms) }));
    },
  };
}

try {
  const context = await browser.newContext();
  // No live metrics: they would add the classifier's dispatches to the recorded step.
  await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
  await context.route("**/www/worker.js", async (route) => {
    const original = await (await route.fetch()).text();
    route.fulfill({ contentType: "text/javascript", body: `(${instrument})(${MAX_DISPATCHES});\n${original}` });
  });
  const page = await context.newPage();
  const status = () => page.evaluate(() => window.webgan.status());
  const step = async (to) => {
    const t0 = Date.now();
    await page.click("#step");
    while ((await status()).step < to) await sleep(20);
    return Date.now() - t0;
  };
  await page.goto(`http://127.0.0.1:${server.address().port}/#backend=webgpu&${settings}`);
  let s;
  while (!(s = await status()).ready) {
    if (s.error) throw new Error(s.error);
    await sleep(200);
  }
  console.error(`ready on ${s.adapter} after ${Math.round(s.firstStepMs)} ms`);
  const [worker] = page.workers();
  await step(1);
  const plainMs = await step(2);
  const cpu = await workerProfiler(page);
  await worker.evaluate(() => globalThis.webganProfile.start());
  await cpu.start();
  const profiledMs = await step(3);
  const hot = await cpu.stop();
  const result = await worker.evaluate(() => globalThis.webganProfile.finish());
  console.error(JSON.stringify(await worker.evaluate(() => globalThis.webganGaps)));
  for (const h of hot) console.error(JSON.stringify(h));
  result.kernels.sort((a, b) => b.ms - a.ms);
  const total = result.kernels.reduce((a, k) => a + k.ms, 0);
  for (const k of result.kernels) {
    console.log(JSON.stringify({
      kernel: k.kernel, calls: k.calls, ms: Number(k.ms.toFixed(2)), ms_per_call: Number((k.ms / k.calls).toFixed(3)),
      share: Number((k.ms / total).toFixed(3)),
    }));
  }
  console.log(JSON.stringify({
    settings, adapter: s.adapter, first_step_ms: Math.round(s.firstStepMs), press_ms: plainMs, press_ms_profiled: profiledMs,
    dispatches: result.dispatches, distinct_pipelines: result.pipelines, pipelines_created: result.compiled, kernels_ms: Number(total.toFixed(1)),
    first_to_last_timestamp_ms: Number(result.spanMs.toFixed(1)),
  }));
} finally {
  await browser.close();
  server.close();
}
