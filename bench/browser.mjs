// Browser benchmark: the built page in headless Chromium, on WebGPU and on the CPU fallback.
// Prints one JSON line per (backend, batch, metrics on/off): ms/step over repeated windows after
// warm-up (each step's loss values reach JavaScript), the time from start-up to the first step,
// and with metrics on, what one measurement of the generator's digits took and the slowdown
// against the same run with the digit classifier withheld (no metrics).
//
// usage: node bench/browser.mjs [batch ...]        (default: 64)
import { chromium } from "playwright-core";
import { serve } from "../tools/serve.mjs";

const batches = process.argv.slice(2).map(Number);
const WINDOW_MS = 10_000;
const REPEATS = 3;

const server = await serve(0);
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--enable-unsafe-webgpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
const status = (page) => page.evaluate(() => window.webgan.status());
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

try {
  for (const backend of ["webgpu", "cpu"]) {
    for (const batch of batches.length ? batches : [64]) {
      const msPerStep = {};
      for (const metrics of [false, true]) {
        const context = await browser.newContext();
        if (!metrics) await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
        const page = await context.newPage();
        const opened = Date.now();
        await page.goto(`${base}#autostart=1&backend=${backend}&batch=${batch}`);
        let s;
        // With metrics, warm-up lasts until the first measurement (which compiles the classifier).
        while (!(s = await status(page)).ready || s.step < 5 || (metrics && !s.metrics)) {
          if (s.error) throw new Error(s.error);
          await sleep(200);
        }
        const samples = [];
        for (let r = 0; r < REPEATS; r++) {
          const a = await status(page), t0 = Date.now();
          await sleep(WINDOW_MS);
          const b = await status(page), t1 = Date.now();
          samples.push((t1 - t0) / Math.max(1, b.step - a.step));
        }
        samples.sort((x, y) => x - y);
        msPerStep[metrics] = samples[1];
        const last = await status(page);
        console.log(JSON.stringify({
          implementation: "webgan", where: "chromium", backend: s.backend, adapter: s.adapter, workload: "mlp", batch,
          metrics,
          ms_per_step: { min: samples[0], median: samples[1], max: samples[samples.length - 1] },
          first_step_ms: Math.round(s.firstStepMs), open_to_step5_ms: Date.now() - opened,
          ...(metrics && {
            measurement_ms: Math.round(last.metricsMs),
            slowdown_with_metrics: Number((msPerStep.true / msPerStep.false).toFixed(3)),
          }),
        }));
        await context.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
