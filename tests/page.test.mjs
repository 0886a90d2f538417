// End-to-end: the built page in headless Chromium (WebGPU through SwiftShader), driven like a
// visitor would, through the `window.webgan.status()` automation contract. The page is served
// under a sub-path, as a course site would host it, so no absolute path can hide.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { launchChromium } from "../tools/chromium.mjs";
import { serve } from "../tools/serve.mjs";

const RESULTS = new URL("../test-results/", import.meta.url).pathname;
const PREFIX = "/course/webgan/";
let server, browser, base;

before(async () => {
  mkdirSync(RESULTS, { recursive: true });
  server = await serve(0, "127.0.0.1", PREFIX);
  base = `http://127.0.0.1:${server.address().port}${PREFIX}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
});

const status = (page) => page.evaluate(() => window.webgan.status());

/** Mean and standard deviation of the sample canvas's pixels, plus a fingerprint of them. */
const canvasPixels = (page) =>
  page.evaluate(() => {
    const c = document.getElementById("samples");
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let sum = 0, sq = 0, hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      sum += data[i];
      sq += data[i] * data[i];
      hash = (hash * 31 + data[i]) | 0;
    }
    const n = data.length / 4;
    return { mean: sum / n, std: Math.sqrt(sq / n - (sum / n) ** 2), hash };
  });

async function waitFor(page, predicate, what, timeoutMs) {
  const start = Date.now();
  for (;;) {
    const s = await status(page);
    if (predicate(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test("autostart trains on WebGPU and the digits change while the page stays responsive", { timeout: 15 * 60_000 }, async () => {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  await page.goto(`${base}#autostart=1&seed=7`);
  const first = await waitFor(page, (s) => s.frames >= 1 || s.error, "the first frame", 10 * 60_000);
  assert.equal(first.error, "", `page error: ${first.error}\n${logs.join("\n")}`);
  const initial = await canvasPixels(page);

  const s = await waitFor(page, (s) => s.step >= 20 || s.error, "20 steps", 10 * 60_000);
  assert.equal(s.error, "");
  assert.equal(s.backend, "webgpu", `notice: ${s.notice}`);
  assert.ok(s.adapter.length > 0);
  assert.ok(s.running);
  for (const key of ["loss_d", "loss_g", "d_real", "d_fake"]) assert.ok(Number.isFinite(s[key]), `${key} = ${s[key]}`);
  assert.ok(s.d_real > 0 && s.d_real < 1 && s.d_fake > 0 && s.d_fake < 1);

  // Wait for a frame drawn after step 20, then compare with the first one.
  await waitFor(page, (t) => t.frames > s.frames, "another frame", 5 * 60_000);
  const later = await canvasPixels(page);
  assert.ok(later.std > 5, `the sample grid looks blank (std ${later.std})`);
  assert.notEqual(later.hash, initial.hash, "the sample grid did not change since the first frame");

  // The main thread keeps answering while the worker trains: timers fire close to on time.
  const worstDelay = await page.evaluate(
    () =>
      new Promise((resolve) => {
        let worst = 0, last = performance.now(), ticks = 0;
        const id = setInterval(() => {
          const now = performance.now();
          worst = Math.max(worst, now - last - 20);
          last = now;
          if (++ticks === 100) { clearInterval(id); resolve(worst); }
        }, 20);
      }),
  );
  assert.ok(worstDelay < 200, `a 20 ms timer was up to ${worstDelay.toFixed(0)} ms late`);

  // Switch the objective and D's optimiser mid-run through the lab's controls: training goes on
  // from the same weights, finite, with the penalty's input gradient now measured.
  await page.selectOption("#setting-loss", "wgan_gp");
  await waitFor(page, (t) => t.config.loss === "wgan_gp" || t.error, "the new loss", 5 * 60_000);
  await page.selectOption("#setting-opt_d", "rms_prop");
  const switched = await waitFor(page, (t) => t.config.d.kind === "rms_prop" || t.error, "the new optimiser", 5 * 60_000);
  assert.equal(switched.error, "");
  assert.match(switched.info, /D's optimiser is now RMSprop/);
  assert.ok(switched.step >= s.step, "the run went on rather than starting over");
  const after = await waitFor(page, (t) => t.step >= switched.step + 5 || t.error, "5 steps after the switch", 10 * 60_000);
  assert.equal(after.error, "");
  assert.equal(after.backend, "webgpu");
  for (const key of ["loss_d", "loss_g", "wasserstein", "grad_norm_d", "grad_norm_g", "input_grad_norm"]) {
    assert.ok(Number.isFinite(after[key]), `${key} = ${after[key]} after the switch`);
  }
  assert.ok(after.input_grad_norm > 0);

  // The digit classifier judges G's digits on the GPU every few seconds: FID, classes, histogram.
  const judged = await waitFor(page, (t) => t.metrics || t.error, "the first metrics", 10 * 60_000);
  assert.equal(judged.error, "");
  assert.equal(judged.metrics.count, 512);
  assert.ok(Number.isFinite(judged.metrics.fid) && judged.metrics.fid > 0, `FID ${judged.metrics.fid}`);
  const shares = judged.metrics.histogram.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(shares - 1) < 1e-9, `the class shares sum to ${shares}`);
  assert.match(await page.textContent("#metrics"), /FID \(512 digits\)/);

  await page.click("#pause");
  await waitFor(page, (t) => !t.running, "pause", 60_000);
  await page.screenshot({ path: join(RESULTS, "page.png"), fullPage: true });
  console.log(`first step after ${Math.round(s.firstStepMs)} ms; ${s.stepsPerSecond.toFixed(2)} steps/s on ${s.adapter}`);
  console.log(`first metrics (kernel compilation included) took ${Math.round(judged.metricsMs)} ms`);
  await page.close();
});

test("a bad setting in the link is named, and training goes on with the defaults", { timeout: 5 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&batch=0&lang=zh-CN`);
  const s = await waitFor(page, (s) => s.step >= 3, "3 CPU steps", 4 * 60_000);
  assert.equal(s.backend, "cpu");
  assert.match(s.error, /batch_size.*1 to 10000/);
  assert.match(await page.textContent("#error"), /batch_size/);
  assert.equal(await page.textContent("#train"), "训练");

  // A preset starts a fresh run with its settings and says what to expect, in Chinese here.
  await page.click('[data-preset="wgan_clip"]');
  const preset = await waitFor(page, (t) => t.config.loss === "wgan_clip" && t.step >= 2, "the WGAN-clip preset", 4 * 60_000);
  assert.equal(preset.config.d_steps, 5);
  assert.equal(preset.config.d.kind, "rms_prop");
  assert.match(await page.textContent("#preset-outcome"), /Wasserstein/);
  assert.match(await page.evaluate(() => location.hash), /loss=wgan_clip/);

  // A bad value is named and refused; the run and its settings stay.
  await page.fill("#setting-lr_d", "2");
  await page.dispatchEvent("#setting-lr_d", "change");
  const refused = await waitFor(page, (t) => t.error, "the refusal", 60_000);
  assert.match(refused.error, /d\.lr.*2/);
  assert.ok(refused.running, "a refused setting must not stop training");
  assert.equal(refused.config.d.lr, 0.00005);
  await page.waitForFunction(() => document.getElementById("setting-lr_d").value === "0.00005", null, { timeout: 60_000 });

  // Every translated text exists in both languages: a missing key would show as the key itself.
  for (const lang of ["zh-CN", "en"]) {
    if (lang === "en") await page.click("#lang");
    const missing = await page.evaluate(() =>
      [...document.querySelectorAll("[data-i18n], p.why")]
        .filter((el) => /^[a-z_]+(\.[a-z_0-9]+)+$/.test(el.textContent.trim()))
        .map((el) => el.textContent),
    );
    assert.deepEqual(missing, [], `untranslated in ${lang}`);
  }
  await page.close();
});

test("missing or corrupt digit data gives a clear message", { timeout: 5 * 60_000 }, async () => {
  for (const [body, status_, expected] of [
    ["", 404, /could not be loaded \(HTTP 404\)/],
    ["this is not gzip", 200, /corrupt/],
  ]) {
    const context = await browser.newContext();
    await context.route("**/mnist.bin.gz", (route) => route.fulfill({ status: status_, body }));
    const page = await context.newPage();
    await page.goto(`${base}#backend=cpu`);
    const s = await waitFor(page, (s) => s.error, "an error message", 4 * 60_000);
    assert.match(s.error, expected);
    assert.ok(await page.isVisible("#error"));
    await context.close();
  }
});

test("a collapsing generator raises the mode-collapse alarm, and a missing classifier is explained", { timeout: 8 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&lr_g=0.0002`);
  const collapsed = await waitFor(
    page,
    (s) => (s.metrics && s.metrics.step >= 600 && s.metrics.collapsed) || s.error,
    "a collapsed generator's metrics",
    6 * 60_000,
  );
  assert.equal(collapsed.error, "");
  assert.ok(collapsed.metrics.covered < 8 || collapsed.metrics.kl_uniform > 0.5, JSON.stringify(collapsed.metrics));
  assert.ok(await page.isVisible("#collapse"));
  assert.match(await page.textContent("#collapse"), /Mode collapse/);
  await page.close();

  const context = await browser.newContext();
  await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
  const broken = await context.newPage();
  await broken.goto(`${base}#backend=cpu&autostart=1`);
  const s = await waitFor(broken, (s) => s.step >= 3 || s.error, "3 steps without a classifier", 4 * 60_000);
  assert.equal(s.error, "", "training goes on without the classifier");
  assert.match(await broken.textContent("#metrics"), /classifier\.bin could not be loaded \(HTTP 404\)/);
  await context.close();
});

test("a teacher's link hides what the lesson is not about, and Copy link hands it on", { timeout: 4 * 60_000 }, async () => {
  const context = await browser.newContext();
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  await page.goto(`${base}#backend=cpu&hide=presets,optimizer_d,lr_g,metrics&seed=5`);
  const s = await waitFor(page, (s) => (s.ready && s.config) || s.error, "the page", 3 * 60_000);
  assert.equal(s.error, "");
  assert.ok(await page.isHidden("#presets"));
  assert.ok(await page.isHidden("#metrics-figure"));
  assert.ok(await page.isHidden('fieldset[data-group="optimizer_d"]'));
  assert.ok(await page.isHidden('label[data-field="lr_g"]'));
  assert.ok(await page.isVisible('label[data-field="opt_g"]'), "only what was named is hidden");
  assert.ok(await page.isVisible("#chart"));

  // A change of setting rewrites the address bar, which keeps the hidden parts and the seed.
  await page.selectOption("#setting-loss", "hinge");
  await waitFor(page, (t) => t.config.loss === "hinge", "the new loss", 60_000);
  const hash = await page.evaluate(() => location.hash);
  assert.match(hash, /hide=presets%2Coptimizer_d%2Clr_g%2Cmetrics|hide=presets,optimizer_d,lr_g,metrics/);
  assert.match(hash, /seed=5/);
  assert.match(hash, /loss=hinge/);
  await page.click("#copy-link");
  await waitFor(page, (t) => t.info, "the copy confirmation", 30_000);
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), await page.evaluate(() => location.href));
  await context.close();

  const bad = await browser.newPage();
  await bad.goto(`${base}#backend=cpu&hide=presets,everything`);
  const refused = await waitFor(bad, (t) => t.error, "the refusal", 60_000);
  assert.match(refused.error, /`hide` names unknown parts \(everything\)/);
  assert.ok(await bad.isHidden("#presets"), "the known names still apply");
  await bad.close();

  // Text from a link is shown as text, never inserted as HTML.
  const hostile = await browser.newPage();
  const markup = "<img src=x onerror=window.pwned=1>";
  await hostile.goto(`${base}#backend=cpu&hide=${encodeURIComponent(markup)}&loss=${encodeURIComponent(markup)}`);
  const named = await waitFor(hostile, (t) => t.ready && t.error.includes("loss"), "the refusals", 3 * 60_000);
  assert.ok((await hostile.textContent("#error")).includes(markup), named.error);
  assert.equal(await hostile.locator("#error img, #info img").count(), 0);
  assert.equal(await hostile.evaluate(() => window.pwned), undefined);
  await hostile.close();
});

test("a run saved in the page opens on the command line and back, and a damaged file is refused", { timeout: 5 * 60_000 }, async () => {
  const cli = join(process.env.WEBGAN_BUILD_DIR || join(homedir(), ".cache/webgan"), "native/release/webgan");
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&seed=9&loss=hinge`);
  await waitFor(page, (s) => (s.ready && s.config) || s.error, "the page", 3 * 60_000);
  for (let i = 1; i <= 3; i++) {
    await page.click("#step");
    await waitFor(page, (s) => s.step >= i, `step ${i}`, 60_000);
  }
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save-run")]);
  assert.equal(download.suggestedFilename(), "webgan-step-3.ckpt");
  const saved = join(RESULTS, "page-run.ckpt");
  await download.saveAs(saved);
  const judged = JSON.parse(execFileSync(cli, ["eval", "--checkpoint", saved, "--eval-samples", "100"], { encoding: "utf8" }));
  assert.equal(judged.count, 100);
  assert.ok(judged.fid > 0);
  await page.close();

  const fromCli = join(RESULTS, "cli-run.ckpt");
  execFileSync(cli, ["train", "--steps", "7", "--backend", "cpu", "--set", "loss=least_squares", "--set", "seed=4",
    "--save", fromCli, "--out", join(RESULTS, "cli-run.png")], { stdio: "ignore" });
  const fresh = await browser.newPage();
  await fresh.goto(`${base}#backend=cpu`);
  await waitFor(fresh, (s) => (s.ready && s.config) || s.error, "the page", 3 * 60_000);
  await fresh.setInputFiles("#open-run", fromCli);
  const opened = await waitFor(fresh, (s) => s.step === 7 || s.error, "the command line's run", 60_000);
  assert.equal(opened.error, "");
  assert.equal(opened.config.loss, "least_squares");
  assert.equal(opened.config.seed, 4);
  assert.match(opened.info, /step 7/);

  await fresh.setInputFiles("#open-run", { name: "bad.ckpt", mimeType: "application/octet-stream", buffer: Buffer.from("WEBGANCK\x09\x00\x00\x00") });
  const refused = await waitFor(fresh, (s) => s.error, "the refusal", 60_000);
  assert.match(refused.error, /version 9 cannot be read/);
  assert.equal(refused.step, 7, "the run on screen stays");
  assert.equal(refused.config.loss, "least_squares");
  await fresh.setInputFiles("#open-run", { name: "huge.ckpt", mimeType: "application/octet-stream", buffer: Buffer.alloc(51e6) });
  await fresh.waitForFunction(() => /huge\.ckpt is larger than 50 MB/.test(window.webgan.status().error), null, { timeout: 60_000 });
  assert.equal((await status(fresh)).step, 7, "the run on screen stays");
  await fresh.close();
});

test("a reload resumes the run from its automatic save, curves included", { timeout: 5 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&seed=3`);
  await waitFor(page, (s) => s.step >= 20 || s.error, "20 CPU steps", 4 * 60_000);
  // The timeline replays an earlier picture of the grid, then goes back to the live one.
  assert.ok(await page.evaluate(() => Number(document.getElementById("timeline-slider").max)) >= 1);
  const live = await canvasPixels(page);
  await page.$eval("#timeline-slider", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
  assert.equal(await page.textContent("#timeline-step"), "step 0");
  assert.notEqual((await canvasPixels(page)).hash, live.hash, "the first picture is not the live one");
  await page.click("#timeline-live");
  assert.ok(await page.isHidden("#timeline-live"));
  await page.click("#pause");
  // Pausing saves at once; the save is of the step the run stopped at.
  const paused = await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the save on pause", 60_000);
  assert.equal(paused.error, "");
  const curve = await page.evaluate(() => window.webgan.status().curvePoints);
  assert.ok(curve >= 20, `${curve} points on the chart`);

  await page.reload();
  const resumed = await waitFor(page, (s) => (s.ready && s.resumedFrom >= 0 && s.frames >= 1) || s.error, "the resumed run", 3 * 60_000);
  assert.equal(resumed.error, "");
  assert.equal(resumed.resumedFrom, paused.step);
  assert.equal(resumed.step, paused.step);
  assert.equal(resumed.config.seed, 3);
  assert.match(resumed.info, new RegExp(`Resumed your run at step ${paused.step}`));
  assert.equal(await page.evaluate(() => window.webgan.status().curvePoints), curve, "the curves come back with the run");
  await page.click("#step");
  await waitFor(page, (s) => s.step === paused.step + 1, "one more step", 60_000);

  // Reset starts afresh, and a reload then finds the fresh run.
  await page.click("#reset");
  await waitFor(page, (s) => s.step === 0 && s.autosavedStep === 0, "the fresh run saved", 60_000);
  await page.reload();
  const fresh = await waitFor(page, (s) => (s.ready && s.frames >= 1) || s.error, "the page", 3 * 60_000);
  assert.equal(fresh.step, 0);
  await page.close();
});

test("a diverging run pauses, goes back to its last good state and says why", { timeout: 5 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&loss=least_squares&opt_d=sgd&lr_d=1&opt_g=sgd&lr_g=1`);
  const s = await waitFor(page, (s) => s.diverged || s.error, "the divergence", 4 * 60_000);
  assert.ok(s.diverged, `no divergence: ${s.error}`);
  assert.ok(s.diverged.step > s.diverged.back);
  await waitFor(page, (t) => !t.running && t.step === s.diverged.back, "the run back at its last good step", 60_000);
  assert.match(s.error, /NaN or infinite at step \d+.*learning rate too high/);
  assert.ok(await page.isVisible("#error"));
  // The grid was drawn again from the state the run went back to (here G already paints black:
  // SGD at 1 saturates its sigmoid within three steps).
  assert.ok((await status(page)).frames > s.frames || s.step === s.diverged.back, "no frame after going back");
  await page.close();
});

test("a lost GPU device is replaced and the run goes on from its last save", { timeout: 12 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#autostart=1&seed=2`);
  const saved = await waitFor(page, (s) => s.autosavedStep >= 1 || s.error, "the first automatic save", 8 * 60_000);
  assert.equal(saved.error, "");
  assert.equal(saved.backend, "webgpu");
  await page.evaluate(() => window.webgan.loseGpuDevice());
  const recovered = await waitFor(page, (s) => (s.recoveries === 1 && s.ready && s.resumedFrom >= 0) || s.error, "the recovery", 3 * 60_000);
  assert.equal(recovered.error, "");
  assert.ok(recovered.resumedFrom >= saved.autosavedStep, `resumed from ${recovered.resumedFrom}`);
  assert.match(recovered.info, /GPU device was lost/);
  const going = await waitFor(page, (s) => s.step > recovered.resumedFrom + 1 || s.error, "training after the recovery", 3 * 60_000);
  assert.equal(going.error, "");
  assert.equal(going.backend, "webgpu");
  assert.ok(going.running);
  await page.close();
});

test("after the first visit the page opens and trains offline", { timeout: 5 * 60_000 }, async () => {
  const own = await serve(0, "127.0.0.1", PREFIX);
  const url = `http://127.0.0.1:${own.address().port}${PREFIX}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}#backend=cpu`);
  await waitFor(page, (s) => (s.ready && s.offlineReady) || s.error, "the page cached for offline use", 3 * 60_000);
  own.closeAllConnections();
  await new Promise((resolve) => own.close(resolve));
  await page.goto(`${url}#backend=cpu&autostart=1&lang=zh-CN`);
  await page.reload();
  // Steps need the wasm and the digits, the language its strings, the metrics the classifier.
  const s = await waitFor(page, (s) => (s.step >= 3 && s.metrics) || s.error, "steps and metrics with the server gone", 3 * 60_000);
  assert.equal(s.error, "");
  assert.equal(await page.textContent("#train"), "训练");
  await context.close();
});

test("a 2-D toy shows the plane with D's landscape and the modes covered, and a drawing trains", { timeout: 6 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1`);
  await waitFor(page, (s) => (s.ready && s.step >= 2) || s.error, "the digits", 3 * 60_000);
  assert.ok(await page.isVisible("#samples") && (await page.isHidden("#plane")));

  // The walk through the noise: ten digits between two noise vectors, then another pair.
  await page.click("#latent-figure summary");
  const walked = await waitFor(page, (s) => s.latent || s.error, "a walk", 60_000);
  assert.equal(walked.latent.pair, 0);
  assert.deepEqual(await page.evaluate(() => [document.getElementById("walk").width, document.getElementById("walk").height]), [298, 28]);
  await page.click("#walk-next");
  await waitFor(page, (s) => s.latent.pair === 1 || s.error, "the next pair", 60_000);

  await page.click('[data-preset="toy_ring"]');
  const ring = await waitFor(page, (s) => (s.config.data === "ring" && s.step >= 300 && s.coverage) || s.error, "300 steps on the ring", 4 * 60_000);
  assert.equal(ring.error, "");
  assert.equal(ring.view, "plane");
  assert.equal(ring.coverage.modes, 8);
  assert.ok(await page.isVisible("#plane"));
  assert.ok((await page.isHidden("#samples")) && (await page.isHidden("#metrics-figure")));
  assert.match(await page.textContent("#plane-coverage"), /Modes hit: \d of 8/);
  // D's landscape, the points and the arrows are painted: many distinct colours.
  const colours = await page.evaluate(() => {
    const c = document.getElementById("plane");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 7) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
    return seen.size;
  });
  assert.ok(colours > 50, `the plane has only ${colours} colours`);

  // The student's own distribution: choose "drawn", draw a stroke, and training restarts on it.
  await page.selectOption("#setting-data", "drawn");
  await page.waitForSelector("#plane.drawable");
  await page.locator("#plane").scrollIntoViewIfNeeded();
  const box = await page.locator("#plane").boundingBox();
  await page.mouse.move(box.x + 60, box.y + 60);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 60 + 10 * i, box.y + 60 + 5 * i);
  await page.mouse.up();
  const drawn = await waitFor(page, (s) => (s.config.data === "drawn" && s.step >= 3) || s.error, "training on the drawing", 2 * 60_000);
  assert.equal(drawn.error, "");
  assert.ok(drawn.config.points.length >= 15, `${drawn.config.points.length} points drawn`);
  assert.equal(drawn.coverage, null, "a drawing has no modes to count");
  assert.match(await page.evaluate(() => location.hash), /data=drawn&points=0\.\d+,0\.\d+/);

  await page.selectOption("#setting-data", "mnist");
  await waitFor(page, (s) => (s.config.data === "mnist" && s.view === "digits") || s.error, "the digits again", 60_000);
  assert.ok(await page.isVisible("#samples"));
  await page.close();
});

test("runs kept for comparison are drawn beside the next and downloaded together", { timeout: 5 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&seed=4`);
  await waitFor(page, (s) => s.step >= 30 || s.error, "30 steps", 3 * 60_000);
  await page.click("#keep-run");
  assert.equal((await status(page)).keptRuns, 1);
  await page.click('[data-preset="minimax"]');
  const minimax = await waitFor(page, (s) => (s.config.loss === "minimax" && s.step >= 30) || s.error, "30 minimax steps", 3 * 60_000);
  assert.equal(minimax.error, "");
  assert.equal(minimax.keptRuns, 1, "a new run keeps the kept curves");
  assert.match(await page.textContent("#kept-runs"), /seed=4, to step \d+/);

  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
  const text = await (await import("node:fs/promises")).readFile(await csv.path(), "utf8");
  const runs = new Set(text.trim().split("\n").slice(1).map((line) => line.split('","')[0].split(",")[0]));
  assert.equal(runs.size, 2, `runs in the CSV: ${[...runs]}`);
  assert.match(text, /^run,series,step,value\n"loss=minimax[^"]*",loss_d,1,/);
  const [json] = await Promise.all([page.waitForEvent("download"), page.click("#download-json")]);
  const settings = JSON.parse(await (await import("node:fs/promises")).readFile(await json.path(), "utf8"));
  assert.deepEqual(settings.runs.map((r) => r.config.loss), ["minimax", "non_saturating"]);
  const [png] = await Promise.all([page.waitForEvent("download"), page.click("#download-png")]);
  assert.match(png.suggestedFilename(), /^webgan-step-\d+\.png$/);
  await page.click("#clear-kept");
  assert.equal((await status(page)).keptRuns, 0);
  await page.close();
});

test("the DCGAN and the conditional GAN are chosen on the page, train on WebGPU and draw a row per digit", { timeout: 8 * 60_000 }, async () => {
  const page = await browser.newPage();
  const width = (id) => page.evaluate((id) => document.getElementById(id).width, id);
  const walkHash = () => page.evaluate(() => {
    const c = document.getElementById("walk");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let i = 0; i < d.length; i += 4) hash = (hash * 31 + d[i]) | 0;
    return hash;
  });
  await page.goto(`${base}#autostart=1&model=dcgan&conditional=1&hidden=16&batch=16`);
  const dcgan = await waitFor(page, (s) => (s.ready && s.step >= 2) || s.error, "two DCGAN steps", 5 * 60_000);
  assert.equal(dcgan.error, "");
  assert.equal(dcgan.backend, "webgpu");
  assert.deepEqual([dcgan.config.model, dcgan.config.conditional], ["dcgan", true]);
  assert.equal(await page.inputValue("#setting-model"), "dcgan");
  assert.equal(await page.inputValue("#setting-conditional"), "true");
  assert.equal(await width("samples"), 298, "ten rows of ten digits");
  assert.match(await page.textContent("#samples-caption"), /one row per digit/);

  // "Draw this digit": the walk is drawn again for another label.
  await page.click("#latent-figure summary");
  await waitFor(page, (s) => s.latent || s.error, "a walk", 60_000);
  assert.ok(await page.isVisible("#walk-digit"));
  const zeros = await walkHash();
  await page.selectOption("#walk-digit", "7");
  const start = Date.now();
  while ((await walkHash()) === zeros && Date.now() - start < 60_000) await new Promise((r) => setTimeout(r, 250));
  assert.notEqual(await walkHash(), zeros, "sevens are drawn differently from zeros");

  // Back to the MLP, still conditional; then unconditional: the grid goes back to 8 × 8.
  await page.selectOption("#setting-model", "mlp");
  await waitFor(page, (s) => (s.config.model === "mlp" && s.step >= 1) || s.error, "the conditional MLP", 2 * 60_000);
  assert.equal(await width("samples"), 298);
  await page.selectOption("#setting-conditional", "false");
  await page.waitForFunction(() => document.getElementById("samples").width === 238, null, { timeout: 2 * 60_000 });
  const plain = await status(page);
  assert.equal(plain.error, "");
  assert.equal(plain.config.conditional, false);
  assert.ok(await page.isHidden("#walk-digit"));
  assert.match(await page.textContent("#samples-caption"), /64 digits/);

  // A toy has neither convolutions nor labels: those controls go away.
  await page.selectOption("#setting-data", "ring");
  const ring = await waitFor(page, (s) => (s.config.data === "ring" && s.view === "plane") || s.error, "the ring", 60_000);
  assert.equal(ring.error, "");
  assert.ok((await page.isHidden('[data-field="model"]')) && (await page.isHidden('[data-field="conditional"]')));
  await page.close();
});
