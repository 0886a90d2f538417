// Browser benchmark: the built page in headless Chromium, on WebGPU and on the CPU fallback.
// Prints one JSON line per (backend, batch): ms/step over repeated windows after warm-up
// (each step's loss values reach JavaScript), and the time from start-up to the first step.
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
      const page = await browser.newPage();
      const opened = Date.now();
      await page.goto(`${base}#autostart=1&backend=${backend}&batch=${batch}`);
      let s;
      while (!(s = await status(page)).ready || s.step < 5) {
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
      console.log(JSON.stringify({
        implementation: "webgan", where: "chromium", backend: s.backend, adapter: s.adapter, workload: "mlp", batch,
        ms_per_step: { min: samples[0], median: samples[1], max: samples[samples.length - 1] },
        first_step_ms: Math.round(s.firstStepMs), open_to_step5_ms: Date.now() - opened,
      }));
      await page.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
