// Browser benchmark: webgan's page and its peer, TensorFlow.js (bench/peer/), train the same
// workloads in one headless Chromium, webgan on WebGPU and on its CPU fallback, TF.js on its
// webgpu and wasm backends. Prints one JSON line per (implementation, backend, workload, batch):
// ms/step min/median/max over repeated windows after warm-up (each window at least 10 s and one
// step; every step's loss values reach JavaScript), the time to the first step, and for webgan
// the peer's median divided by webgan's (how many times faster webgan is), measured minutes apart
// in the same browser; on WebGPU also the compute dispatches per step, counted where each is
// issued. The webgan runs have the digit classifier withheld (no metrics), as the peer measures
// nothing either; one more line per backend gives the mlp slowdown with metrics on.
//
// usage: node bench/browser.mjs [OUT.json [--with NATIVE.jsonl]] [workload:batch ...]
//        (default workloads: mlp:64 mlp:256 mlp:1024 dcgan:64); OUT.json gets every line printed,
//        after those of NATIVE.jsonl (the native benchmark's lines)
import { readFileSync, writeFileSync } from "node:fs";
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const args = process.argv.slice(2);
const out = args[0]?.endsWith(".json") ? args.shift() : null;
const native = args[0] === "--with" ? args.splice(0, 2)[1] : null;
const RUNS = (args.length ? args : ["mlp:64", "mlp:256", "mlp:1024", "dcgan:64"]).map((a) => {
  const [workload, batch] = a.split(":");
  return { workload, batch: Number(batch) };
});
const WINDOW_MS = 10_000;
const MIN_STEPS = 1;
const REPEATS = 3;
/** Which webgan backend each peer backend is compared with. */
const PAIRS = [["webgpu", "webgpu"], ["cpu", "wasm"]];

const server = await serve(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = native ? readFileSync(native, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
const report = (fields) => {
  const line = { where: "chromium", ...fields };
  lines.push(line);
  console.log(JSON.stringify(line));
};
const spread = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[sorted.length >> 1], max: sorted[sorted.length - 1] };
};

/** webgan's page training `workload`: ms/step per window and the page's own first-step time. */
async function webgan(backend, workload, batch, metrics) {
  const context = await browser.newContext();
  if (!metrics) await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
  const page = await context.newPage();
  const status = () => page.evaluate(() => window.webgan.status());
  try {
    await page.goto(`${base}#autostart=1&backend=${backend}&batch=${batch}${workload === "dcgan" ? "&model=dcgan" : ""}`);
    let s;
    // Warm-up: two steps (with metrics on, until the first measurement has compiled the classifier).
    while (!(s = await status()).ready || s.step < 2 || (metrics && !s.metrics)) {
      if (s.error) throw new Error(s.error);
      await sleep(200);
    }
    const windows = [];
    const first = await status();
    let b;
    for (let r = 0; r < REPEATS; r++) {
      const a = await status(), t0 = Date.now();
      do {
        await sleep(200);
        b = await status();
      } while (Date.now() - t0 < WINDOW_MS || b.step - a.step < MIN_STEPS);
      windows.push((Date.now() - t0) / (b.step - a.step));
    }
    const dispatches = (b.memory.gpuDispatches - first.memory.gpuDispatches) / (b.step - first.step);
    return { adapter: s.adapter, first_step_ms: Math.round(s.firstStepMs), ms: windows, dispatches };
  } finally {
    await context.close();
  }
}

/** TF.js training `workload`: a warm-up call, then enough steps for the windows. */
async function peer(backend, workload, batch) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${base}bench/peer/`);
    await page.waitForFunction(() => window.peer);
    const train = (steps) => page.evaluate((o) => window.peer.train(o), { backend, workload, batch, steps, digitsUrl: "/www/data/mnist.bin.gz" });
    const warm = await train(2);
    const perWindow = Math.max(MIN_STEPS, Math.ceil(WINDOW_MS / warm.times[1]));
    const { times, dispatches } = await train(REPEATS * perWindow);
    const windows = [];
    for (let r = 0; r < REPEATS; r++) {
      const slice = times.slice(r * perWindow, (r + 1) * perWindow);
      windows.push(slice.reduce((a, b) => a + b, 0) / slice.length);
    }
    return { first_step_ms: Math.round(warm.setupMs + warm.times[0]), ms: windows, dispatches: dispatches / times.length };
  } finally {
    await context.close();
  }
}

try {
  for (const { workload, batch } of RUNS) {
    for (const [ours, theirs] of PAIRS) {
      const common = { workload, batch };
      let peerMedian = NaN;
      try {
        const p = await peer(theirs, workload, batch);
        peerMedian = spread(p.ms).median;
        report({
          implementation: "tfjs", backend: theirs, ...common, ms_per_step: spread(p.ms), first_step_ms: p.first_step_ms,
          ...(theirs === "webgpu" && { dispatches_per_step: Math.round(p.dispatches) }),
        });
      } catch (e) {
        report({ implementation: "tfjs", backend: theirs, ...common, error: String(e.message || e).split("\n")[0] });
      }
      try {
        const w = await webgan(ours, workload, batch, false);
        const ms = spread(w.ms);
        report({
          implementation: "webgan", backend: ours, adapter: w.adapter, ...common, ms_per_step: ms,
          first_step_ms: w.first_step_ms, ...(ours === "webgpu" && { dispatches_per_step: Math.round(w.dispatches) }),
          peer: `tfjs ${theirs}`,
          times_faster_than_peer: Number.isFinite(peerMedian) ? Number((peerMedian / ms.median).toFixed(2)) : null,
        });
        if (workload === "mlp" && batch === RUNS[0].batch) {
          const m = await webgan(ours, workload, batch, true);
          report({
            implementation: "webgan", backend: ours, ...common, metrics: true, ms_per_step: spread(m.ms),
            slowdown_with_metrics: Number((spread(m.ms).median / ms.median).toFixed(3)),
          });
        }
      } catch (e) {
        report({ implementation: "webgan", backend: ours, ...common, error: String(e.message || e).split("\n")[0] });
      }
    }
  }
} finally {
  await browser.close();
  server.close();
  if (out) writeFileSync(out, JSON.stringify(lines, null, 2) + "\n");
}
