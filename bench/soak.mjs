// Soak: does memory grow while a run trains for a long time? Natively, `webgan train` runs for N
// minutes while its resident memory (RSS) is sampled. In the browser the page trains for M
// minutes while the page's JS heap, the worker's WebAssembly memory, the count of live GPU
// buffers and the RSS of all Chromium processes are sampled. For each figure it prints the value
// when warm-up ends (a fifth of the run, at least a minute), at the end, the largest value after
// warm-up and the trend after warm-up (least-squares slope per 10 minutes), then every sample. A
// leak shows as growth that goes on; pools and caches filling up show as growth that levels off.
//
// usage: [SOAK_NO_METRICS=1] node bench/soak.mjs [native-minutes=30] [browser-minutes=10] [native-backend=wgpu|cpu] [browser-backend=webgpu|cpu]
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const [nativeMinutes = 30, browserMinutes = 10] = process.argv.slice(2, 4).map(Number);
const [nativeBackend = "wgpu", browserBackend = "webgpu"] = process.argv.slice(4, 6);
const SAMPLE_MS = 10_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MB = 1024 * 1024;

/** Resident memory of `pid` in bytes (0 once it is gone). */
function rss(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]) * 1024;
  } catch {
    return 0;
  }
}

/** Every process descended from `root`. */
function descendants(root) {
  const children = new Map();
  for (const name of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const ppid = Number(readFileSync(`/proc/${name}/stat`, "utf8").split(") ")[1].split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) || []), Number(name)]);
    } catch {}
  }
  const found = [];
  const visit = (pid) => (children.get(pid) || []).forEach((child) => { found.push(child); visit(child); });
  visit(root);
  return found;
}

/** Samples `measure()` (an object of named figures) every SAMPLE_MS for `minutes`, then reports. */
async function soak(label, minutes, measure) {
  const samples = [];
  const start = Date.now(), end = start + minutes * 60_000;
  const warm = start + Math.max(60_000, (end - start) / 5);
  while (Date.now() < end) {
    await sleep(SAMPLE_MS);
    samples.push({ minute: (Date.now() - start) / 60_000, ...(await measure()) });
  }
  const after = samples.filter((s) => s.minute >= (warm - start) / 60_000);
  const report = { soak: label, minutes, samples: samples.length };
  for (const key of Object.keys(samples[0]).filter((k) => k !== "minute")) {
    const xs = after.map((s) => s.minute), ys = after.map((s) => s[key]);
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length, my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const slope = xs.reduce((a, x, i) => a + (x - mx) * (ys[i] - my), 0) / xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    report[key] = { after_warmup: ys[0], end: ys[ys.length - 1], max: Math.max(...ys), trend_per_10min: Number((slope * 10).toFixed(3)) };
  }
  // The whole series too, one value per sample, to tell a plateau from steady growth.
  report.series = Object.fromEntries(Object.keys(samples[0]).map((k) => [k, samples.map((s) => Number(s[k].toFixed(2)))]));
  console.log(JSON.stringify(report));
}

async function nativeSoak() {
  const cli = join(process.env.WEBGAN_BUILD_DIR || join(homedir(), ".cache/webgan"), "native/release/webgan");
  const run = spawn(cli, ["train", "--backend", nativeBackend, "--steps", "1000000000000", "--log-every", "1000", "--out", "/tmp/soak.png"], { stdio: ["ignore", "pipe", "inherit"] });
  let step = 0;
  run.stdout.on("data", (d) => { const m = /"step":(\d+)/.exec(String(d).trim().split("\n").pop()); if (m) step = Number(m[1]); });
  try {
    await soak(`native ${nativeBackend}`, nativeMinutes, () => ({ rss_mb: rss(run.pid) / MB, step }));
  } finally {
    run.kill();
  }
}

async function browserSoak() {
  const server = await serve(0);
  const browser = await launchChromium(["--enable-precise-memory-info"]);
  try {
    const context = await browser.newContext();
    // SOAK_NO_METRICS=1 withholds the digit classifier, to tell the measurements' share apart.
    if (process.env.SOAK_NO_METRICS) await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${server.address().port}/#autostart=1&backend=${browserBackend}`);
    await page.waitForFunction(() => window.webgan.status().step >= 1, null, { timeout: 10 * 60_000 });
    await soak(`browser ${browserBackend}`, browserMinutes, async () => {
      const s = await page.evaluate(() => ({ ...window.webgan.status(), heap: performance.memory.usedJSHeapSize }));
      if (s.error) throw new Error(s.error);
      const chromiumRss = descendants(process.pid).reduce((sum, pid) => sum + rss(pid), 0);
      return {
        page_js_heap_mb: s.heap / MB,
        worker_wasm_memory_mb: s.memory.wasmBytes / MB,
        live_gpu_buffers: s.memory.gpuBuffers,
        chromium_rss_mb: chromiumRss / MB,
        step: s.step,
      };
    });
  } finally {
    await browser.close();
    server.close();
  }
}

if (nativeMinutes > 0) await nativeSoak();
if (browserMinutes > 0) await browserSoak();
