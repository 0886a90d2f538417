// Browser benchmark: webgan's page and its peers, TensorFlow.js and jax-js (bench/peer/), train
// the same workloads in one headless Chromium, webgan on WebGPU and on its CPU fallback, each peer
// on its WebGPU and its wasm backend. Prints one JSON line per (implementation, backend, workload,
// batch): ms/step min/median/max over repeated windows after warm-up (each window at least 10 s
// and one step; every step's loss values reach JavaScript), the time to the first step, and for
// webgan each peer's median divided by webgan's (how many times faster webgan is), measured
// minutes apart in the same browser, the fastest peer of that path named; on WebGPU also the
// compute dispatches per step, counted where each is issued, and webgan's WebGPU run once more
// with fusion off (`fusion=off`), to show what fusion gives. The webgan runs have the digit
// classifier withheld (no metrics), as the peers measure nothing either; one more line per backend
// gives the mlp slowdown with metrics on. A table of the medians and ratios ends the output.
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
/** webgan's backends, and each peer's page and the backend it runs on that path. */
const PATHS = ["webgpu", "cpu"];
const PEERS = [
  { name: "tfjs", page: "bench/peer/", backends: { webgpu: "webgpu", cpu: "wasm" } },
  { name: "jax-js", page: "bench/peer/jax.html", backends: { webgpu: "webgpu", cpu: "wasm" } },
];
/** A peer whose first two steps take longer is reported as too slow to measure. */
const PEER_WARM_LIMIT_MS = 240_000;

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
const within = (promise, ms, what) => Promise.race([
  promise, new Promise((_, fail) => setTimeout(() => fail(new Error(`${what} took over ${Math.round(ms / 1000)} s`)), ms)),
]);
const spread = (ms) => {
  const sorted = [...ms].sort((a, b) => a - b);
  return { min: sorted[0], median: sorted[sorted.length >> 1], max: sorted[sorted.length - 1] };
};

/** webgan's page training `workload`: ms/step per window and the page's own first-step time.
 * `fusion` "off" runs the GPU's operations unfused (the page fuses them). */
async function webgan(backend, workload, batch, metrics, fusion = "") {
  const context = await browser.newContext();
  if (!metrics) await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
  const page = await context.newPage();
  const status = () => page.evaluate(() => window.webgan.status());
  try {
    await page.goto(`${base}#autostart=1&backend=${backend}&batch=${batch}${workload === "dcgan" ? "&model=dcgan" : ""}${fusion ? `&fusion=${fusion}` : ""}`);
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
    return { adapter: s.adapter, fused: s.fused, first_step_ms: Math.round(s.firstStepMs), ms: windows, dispatches };
  } finally {
    await context.close();
  }
}

/** A peer training `workload`: a warm-up call of two steps, then enough steps for the windows. */
async function peer({ name, page: path }, backend, workload, batch) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.goto(`${base}${path}`);
    await page.waitForFunction(() => window.peer);
    const train = (steps) => page.evaluate((o) => window.peer.train(o), { backend, workload, batch, steps, digitsUrl: "/www/data/mnist.bin.gz" });
    const warm = await within(train(2), PEER_WARM_LIMIT_MS, `${name} ${backend}: its first two steps`);
    const perWindow = Math.max(MIN_STEPS, Math.ceil(WINDOW_MS / warm.times[1]));
    const expected = REPEATS * perWindow * warm.times[1];
    const { times, dispatches } = await within(train(REPEATS * perWindow), 4 * expected + 60_000, `${name} ${backend}: the measured steps`);
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

/** One row of the closing table per workload, batch and path. */
const table = [];
try {
  for (const { workload, batch } of RUNS) {
    for (const ours of PATHS) {
      const common = { workload, batch };
      /** Each peer's median on this path, by "name backend". */
      const peers = {};
      for (const p of PEERS) {
        const theirs = p.backends[ours];
        try {
          const r = await peer(p, theirs, workload, batch);
          peers[`${p.name} ${theirs}`] = spread(r.ms).median;
          report({
            implementation: p.name, backend: theirs, ...common, ms_per_step: spread(r.ms), first_step_ms: r.first_step_ms,
            ...(theirs === "webgpu" && { dispatches_per_step: Math.round(r.dispatches) }),
          });
        } catch (e) {
          peers[`${p.name} ${theirs}`] = null;
          report({ implementation: p.name, backend: theirs, ...common, error: String(e.message || e).split("\n")[0] });
        }
      }
      const measured = Object.entries(peers).filter(([, ms]) => ms !== null);
      const [fastest, fastestMs] = measured.sort((a, b) => a[1] - b[1])[0] ?? [null, NaN];
      const row = { workload, batch, path: ours, peers, fastest, webgan: null, ratio: null };
      table.push(row);
      try {
        const w = await webgan(ours, workload, batch, false);
        const ms = spread(w.ms);
        /** How many times faster than `peerMs` a webgan median `ours` is. */
        const ratio = (peerMs, ours = ms) => Number((peerMs / ours.median).toFixed(2));
        Object.assign(row, { webgan: ms.median, ratio: fastest ? ratio(fastestMs) : null });
        const line = (w, ms) => ({
          implementation: "webgan", backend: ours, adapter: w.adapter, ...common, ms_per_step: ms,
          first_step_ms: w.first_step_ms, ...(ours === "webgpu" && { fused: w.fused, dispatches_per_step: Math.round(w.dispatches) }),
          peer: fastest, times_faster_than_peer: fastest ? ratio(fastestMs, ms) : null,
          times_faster_than: Object.fromEntries(measured.map(([name, peerMs]) => [name, ratio(peerMs, ms)])),
        });
        report(line(w, ms));
        // What fusion gives: the same run with each operation as its own kernel.
        if (ours === "webgpu") {
          try {
            const f = await webgan(ours, workload, batch, false, "off");
            report({ ...line(f, spread(f.ms)), fusion: "off" });
          } catch (e) {
            report({ implementation: "webgan", backend: ours, fusion: "off", ...common, error: String(e.message || e).split("\n")[0] });
          }
        }
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
  const fmt = (ms) => (ms === null || !Number.isFinite(ms) ? "—" : ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
  console.log("\nms/step medians; webgan ÷ fastest peer: above 1, webgan is faster");
  for (const r of table) {
    const others = Object.entries(r.peers).map(([name, ms]) => `${name} ${fmt(ms)}`).join(", ");
    console.log(`${r.workload} ${r.batch} ${r.path}: webgan ${fmt(r.webgan)}, ${others}; webgan ÷ ${r.fastest ?? "no peer"}: ${r.ratio ?? "—"}×`);
  }
} finally {
  await browser.close();
  server.close();
  if (out) writeFileSync(out, JSON.stringify(lines, null, 2) + "\n");
}
