// End-to-end: the built page in headless Chromium (WebGPU through SwiftShader), driven like a
// visitor would, through the `window.webgan.status()` automation contract. The page is served
// under a sub-path, as a course site would host it, so no absolute path can hide.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import {
  usePage, base, browser, RESULTS, PREFIX, status, canvasPixels, waitFor, openPage, setSetting, press,
  savedRuns, waitForSaveOfRunOnScreen, assertOneRunOnChart,
} from "./page/harness.mjs";
import { serve } from "../tools/serve.mjs";

usePage();

test("autostart trains on WebGPU and the digits change while the page stays responsive", { timeout: 15 * 60_000 }, async () => {
  const page = await browser.newPage();
  const logs = [];
  page.on("console", (m) => logs.push(m.text()));
  await page.goto(`${base}#backend=webgpu&autostart=1&seed=7`);
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

test("a bad setting in the link is named, and training goes on as a link without settings opens", { timeout: 5 * 60_000 }, async () => {
  const page = await browser.newPage();
  await page.goto(`${base}#backend=cpu&autostart=1&batch=0&lang=zh-CN`);
  const s = await waitFor(page, (s) => s.step >= 3, "3 CPU steps", 4 * 60_000);
  assert.equal(s.backend, "cpu");
  assert.match(s.error, /`batch` = 0 不被接受，允许的值：1 到 10000 之间的整数/, "the trainer's refusal in the page's language");
  assert.match(await page.textContent("#error"), /`batch` = 0/);
  assert.equal(await page.textContent("#train"), "训练");

  // A preset starts a fresh run with its settings and says what to expect, in Chinese here.
  await page.click('[data-preset="wgan_clip"]');
  const preset = await waitFor(page, (t) => t.config.loss === "wgan_clip" && t.step >= 2, "the WGAN-clip preset", 4 * 60_000);
  assert.equal(preset.config.d_steps, 5);
  assert.equal(preset.config.d.kind, "rms_prop");
  assert.match(await page.textContent("#preset-outcome"), /Wasserstein/);
  assert.match(await page.evaluate(() => location.hash), /loss=wgan_clip/);

  // A bad value is named beside its control and refused; the run and its settings stay, and so
  // does the typed text, until corrected (tests/page-teacher.test.mjs).
  await page.fill("#setting-lr_d", "2");
  await page.dispatchEvent("#setting-lr_d", "change");
  const refused = await waitFor(page, (t) => t.invalid.lr_d, "the refusal", 60_000);
  assert.match(refused.invalid.lr_d, /lr_d.*2/);
  assert.equal(refused.error, "");
  assert.ok(refused.running, "a refused setting must not stop training");
  assert.equal(refused.config.d.lr, 0.00005);
  assert.equal(await page.inputValue("#setting-lr_d"), "2");

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
    ["this is not brotli", 200, /corrupt/],
  ]) {
    const context = await browser.newContext();
    await context.route("**/mnist.bin.br", (route) => route.fulfill({ status: status_, body }));
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
  const verdicts = []; // the alarm's verdict on each measurement, in order
  const collapsed = await waitFor(
    page,
    (s) => {
      if (s.metrics && verdicts.at(-1)?.step !== s.metrics.step) verdicts.push({ step: s.metrics.step, alarm: s.metrics.alarm });
      return (s.metrics && s.metrics.alarm === "collapse") || s.error;
    },
    "a collapsed generator's metrics",
    6 * 60_000,
  );
  assert.equal(collapsed.error, "");
  assert.ok(collapsed.metrics.covered < 8 || collapsed.metrics.kl_uniform > 0.5, JSON.stringify(collapsed.metrics));
  assert.ok(await page.isVisible("#collapse"));
  // Narrow digits are first a generator still learning; the alarm waits for them to stay narrow.
  assert.equal(verdicts[0].alarm, "learning", JSON.stringify(verdicts));
  assert.ok(collapsed.metrics.step >= 2000, `the alarm waited for two windows: ${JSON.stringify(verdicts)}`);
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
  // From a file on disk: a 51 MB buffer would travel to the browser base64-encoded, for half a minute.
  const huge = join(RESULTS, "huge.ckpt");
  writeFileSync(huge, Buffer.alloc(51e6));
  await fresh.setInputFiles("#open-run", huge);
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
  await page.goto(`${base}#backend=webgpu&autostart=1&seed=2`);
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

/** The build's list for the service worker (www/pkg/precache.js): its text, version and files. */
function precacheList() {
  const text = readFileSync(new URL("../www/pkg/precache.js", import.meta.url), "utf8");
  return { text, ...JSON.parse(text.slice(text.indexOf("{"), text.lastIndexOf("}") + 1)) };
}

/** What a server's request `log` says was downloaded: full (200) responses per path, and the
 * body bytes of all of them. */
function downloads(log) {
  const count = new Map();
  for (const { path, status } of log) if (status === 200) count.set(path, (count.get(path) ?? 0) + 1);
  return { count, bytes: log.reduce((sum, { bytes }) => sum + bytes, 0) };
}

test("a first visit downloads each file of the build once, and the next visit none of them", { timeout: 5 * 60_000 }, async () => {
  const log = [];
  const own = await serve(0, "127.0.0.1", PREFIX, { log });
  const url = `http://127.0.0.1:${own.address().port}${PREFIX}`;
  const { files } = precacheList();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}#backend=cpu`);
  await waitFor(page, (s) => (s.ready && s.offlineReady) || s.error, "the page cached for offline use", 3 * 60_000);
  const first = downloads(log);
  console.log(`first visit: ${first.bytes} bytes in ${log.length} requests`);
  for (const path of Object.keys(files)) assert.equal(first.count.get(path), 1, `${path} was downloaded ${first.count.get(path) ?? 0} times`);
  for (const [path, times] of first.count) assert.equal(times, 1, `${path} was downloaded ${times} times`);
  assert.ok(!first.count.has("www/pkg/webgan_bg.wasm"), "the page loads the .wasm compressed");
  // Thirty students on one school Wi-Fi: the whole first visit, from a host that compresses nothing.
  assert.ok(first.bytes <= 6e6, `a first visit downloads ${first.bytes} bytes, more than 6 MB`);

  log.length = 0;
  const again = await context.newPage();
  await again.goto(`${url}#backend=cpu`);
  await waitFor(again, (s) => (s.ready && s.frames >= 1) || s.error, "the second visit", 3 * 60_000);
  const second = downloads(log);
  console.log(`second visit: ${second.bytes} bytes in ${log.length} requests`);
  assert.deepEqual([...second.count.keys()].filter((path) => Object.hasOwn(files, path)), [], "files downloaded again");
  assert.equal((await status(again)).error, "");
  await context.close();
  own.closeAllConnections();
  own.close();
});

test("a new build is downloaded in the background and offered, while the run on screen goes on", { timeout: 6 * 60_000 }, async () => {
  const log = [];
  const override = new Map();
  const own = await serve(0, "127.0.0.1", PREFIX, { log, override });
  const url = `http://127.0.0.1:${own.address().port}${PREFIX}`;
  const list = precacheList();
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${url}#backend=cpu&autostart=1`);
  await waitFor(page, (s) => (s.offlineReady && s.step >= 3) || s.error, "a run cached for offline use", 3 * 60_000);
  await page.waitForFunction(() => navigator.serviceWorker.controller, null, { timeout: 60_000 });

  // A rebuild whose files did not change: only the version in the list is new.
  const next = list.version.replace(/./g, (c) => (c === "0" ? "1" : "0"));
  override.set("www/pkg/precache.js", list.text.replace(list.version, next));
  log.length = 0;
  // The check the page makes every few minutes, made now.
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  const offered = await waitFor(page, (s) => s.updateReady || s.error, "the offer of the new build", 2 * 60_000);
  assert.equal(offered.error, "");
  assert.match(await page.textContent("#update"), /new version of webgan is ready/);
  assert.ok(await page.isVisible("#update-reload"));
  const later = await waitFor(page, (s) => s.step > offered.step + 3 || s.error, "training after the offer", 2 * 60_000);
  assert.ok(later.running, "the run goes on");
  assert.equal(later.resumedFrom, -1, "the page was not reloaded under the run");
  await assertOneRunOnChart(page);
  const files = Object.keys(list.files);
  assert.deepEqual([...downloads(log).count.keys()].filter((path) => files.includes(path)), [], "unchanged files downloaded again");

  // The button reloads into the new build, which deletes the old build's cache.
  const loaded = page.waitForEvent("load");
  await page.click("#update-reload");
  await loaded;
  const reloaded = await waitFor(page, (s) => (s.ready && s.frames >= 1) || s.error, "the page of the new build", 3 * 60_000);
  assert.equal(reloaded.error, "");
  assert.equal(reloaded.updateReady, false);
  assert.ok(await page.isHidden("#update"));
  assert.deepEqual(await page.evaluate(() => caches.keys()), [`webgan-${next}`]);
  assert.deepEqual([...downloads(log).count.keys()].filter((path) => files.includes(path)), [], "files downloaded for the new build");
  await context.close();
  own.closeAllConnections();
  own.close();
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
  await page.goto(`${base}#backend=webgpu&autostart=1&model=dcgan&conditional=1&channels=16&batch=16`);
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

test("a trap in the trainer is replaced by a new worker that goes on from the last save", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&seed=8");
  await waitFor(page, (s) => s.step >= 20 || s.error, "20 CPU steps", 2 * 60_000);
  await page.click("#pause");
  const saved = await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the save on pause", 60_000);
  assert.equal(saved.error, "");
  await page.click("#train");
  await waitFor(page, (s) => s.step > saved.step || s.error, "training again", 60_000);

  await page.evaluate(() => window.webgan.crashWorker());
  const recovered = await waitFor(page, (s) => (s.crashes === 1 && s.ready && s.resumedFrom >= 0) || s.error, "the recovery", 3 * 60_000);
  assert.equal(recovered.error, "");
  assert.ok(recovered.resumedFrom >= saved.step, `resumed from ${recovered.resumedFrom}, saved at ${saved.step}`);
  assert.match(recovered.info, /trainer stopped on an internal error \(.*trap_for_test.*\).*step \d+/);
  // The new worker trains on, as the old one did, and answers the buttons.
  const going = await waitFor(page, (s) => (s.running && s.step > recovered.resumedFrom + 2) || s.error, "training after the recovery", 2 * 60_000);
  assert.equal(going.error, "");
  await page.click("#pause");
  const paused = await waitFor(page, (s) => !s.running && s.autosavedStep === s.step, "the pause", 60_000);
  await page.click("#step");
  const stepped = await waitFor(page, (s) => s.step === paused.step + 1 || s.error, "one more step", 60_000);
  assert.equal(stepped.error, "");
  assert.equal(stepped.crashes, 1);
  await assertOneRunOnChart(page);
  await page.close();
});

test("a trainer that traps while starting opens as a link without settings does, and one that keeps trapping is given up", { timeout: 6 * 60_000 }, async () => {
  const context = await browser.newContext();
  // The first worker panics in Rust as it starts; the next ones are the page's own.
  let trapped = false;
  await context.route("**/www/worker.js", (route) => {
    if (trapped) return route.continue();
    trapped = true;
    return route.fulfill({
      contentType: "text/javascript",
      body: 'import init, { trap_for_test } from "./pkg/webgan.js";\nawait init();\ntrap_for_test();\n',
    });
  });
  const page = await openPage("backend=cpu&seed=5&loss=hinge", context);
  const fallback = await status(page);
  assert.ok(trapped);
  assert.equal(fallback.crashes, 1);
  assert.match(fallback.error, /settings of this link could not be run.*Opening with the first-minute settings instead/);
  assert.equal(fallback.config.seed, 0);
  assert.equal(fallback.config.loss, "non_saturating");
  assert.equal(fallback.config.hidden, 512, "the first-minute preset");
  assert.doesNotMatch(await page.evaluate(() => location.hash), /seed=5/, "the link now names the run on screen");
  assert.ok(await page.isEnabled("#train"));

  // Two more traps with no save between them: the page stops starting workers and says so.
  await page.evaluate(() => window.webgan.crashWorker());
  await waitFor(page, (s) => s.crashes === 2 && s.ready && s.frames >= 1, "the second worker", 3 * 60_000);
  await page.evaluate(() => window.webgan.crashWorker());
  const given = await waitFor(page, (s) => s.crashes === 3 && s.error, "the page giving up", 60_000);
  assert.match(given.error, /stopped 3 times in a row \(.*trap_for_test.*\)/);
  assert.equal(given.ready, false);
  assert.ok(await page.isDisabled("#train"));
  await context.close();
});

test("settings this device cannot run are named, and the defaults train instead", { timeout: 4 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&model=dcgan&batch=10000");
  const s = await status(page);
  assert.match(s.error, /`batch` = 10000 needs .* use a batch of at most \d+\. Using the default settings instead/);
  assert.equal(s.config.model, "mlp");
  assert.equal(s.config.batch_size, 64);
  await page.click("#train");
  const trained = await waitFor(page, (t) => t.step >= 3 || (t.error && !t.error.includes("batch")), "3 steps of the defaults", 2 * 60_000);
  assert.equal(trained.error, "");
  await page.close();
});

test("a setting changed while paused is saved at once, so a reload keeps it", { timeout: 4 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&seed=61");
  await waitFor(page, (s) => s.step >= 10 || s.error, "10 CPU steps", 2 * 60_000);
  await page.click("#pause");
  const paused = await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the save on pause", 60_000);
  assert.equal(paused.error, "");
  await setSetting(page, "lr_d", "0.0003");
  const changed = await waitFor(page, (s) => s.config.d.lr === 0.0003 || s.error, "the new learning rate", 60_000);
  assert.equal(changed.error, "");
  await waitForSaveOfRunOnScreen(page, 60_000);

  await page.reload();
  const resumed = await waitFor(page, (s) => (s.ready && s.frames >= 1) || s.error, "the reloaded page", 3 * 60_000);
  assert.equal(resumed.error, "");
  assert.equal(resumed.resumedFrom, paused.step);
  assert.equal(resumed.step, paused.step);
  assert.equal(resumed.config.d.lr, 0.0003);
  assert.equal(await page.inputValue("#setting-lr_d"), "0.0003");
  await page.close();
});

test("Pause and Train pressed back to back always train again, whatever frame is on its way", { timeout: 5 * 60_000 }, async () => {
  // Train used to be enabled only at the next animation frame after Pause, and a frame posted
  // before a Pause said "running" after it: a Train pressed at once found its button disabled
  // and the run stayed paused (about one try in 100 here).
  const page = await openPage("backend=cpu&autostart=1&seed=62");
  await waitFor(page, (s) => (s.running && s.step > 20) || s.error, "training", 60_000);
  for (let i = 0; i < 40; i++) {
    await new Promise((r) => setTimeout(r, (i * 37) % 300)); // anywhere in a frame
    await press(page, "#pause");
    await new Promise((r) => setTimeout(r, (i * 53) % 40));
    await press(page, "#train");
    const from = (await status(page)).step;
    const s = await waitFor(page, (x) => (x.running && x.step > from + 5) || x.error, `training again after Pause and Train ${i + 1}`, 30_000);
    assert.equal(s.error, "");
  }
  await page.close();
});

test("names every object inherits are unknown settings like any other", { timeout: 8 * 60_000 }, async () => {
  for (const key of ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf"]) {
    const page = await openPage(`backend=cpu&${key}=1`);
    const s = await status(page);
    assert.ok(s.error.includes(`unknown setting \`${key}\``), `${key}: ${s.error}`);
    assert.ok(await page.isVisible("#setting-loss"), `${key}: the lab is shown`);
    await page.click("#train");
    const trained = await waitFor(page, (t) => t.step >= 2 || t.error, `${key}: 2 steps`, 60_000);
    assert.equal(trained.error, "", key);
    await page.close();
  }
});

test("a refused Run-group value keeps the run, its curves and the controls as they were", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&seed=12");
  await waitFor(page, (s) => s.step >= 150 || s.error, "150 CPU steps", 3 * 60_000);
  await page.click("#pause");
  const paused = await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the pause", 60_000);
  const pictures = await page.evaluate(() => Number(document.getElementById("timeline-slider").max));

  await setSetting(page, "seed", "abc");
  const refused = await waitFor(page, (s) => s.invalid.seed || s.error, "the refusal", 60_000);
  assert.equal(refused.error, "");
  assert.match(refused.invalid.seed, /seed.*abc/);
  assert.equal(await page.inputValue("#setting-seed"), "abc", "the typed text stays, marked, until corrected");
  assert.equal(await page.getAttribute("#setting-seed", "aria-invalid"), "true");
  const kept = await status(page);
  assert.equal(kept.config.seed, 12, "the seed in force stays");
  assert.equal(kept.step, paused.step);
  assert.equal(kept.curvePoints, paused.curvePoints, "the curves stay");
  assert.equal(await page.evaluate(() => Number(document.getElementById("timeline-slider").max)), pictures, "the timeline stays");
  assert.match(await page.evaluate(() => location.hash), /seed=12/);

  await setSetting(page, "seed", "13");
  const fresh = await waitFor(page, (s) => (s.config.seed === 13 && s.step === 0) || s.error, "the new seed", 60_000);
  assert.equal(fresh.error, "");
  assert.equal(fresh.config.seed, 13);
  await page.close();
});

test("every problem of a link is named, and repeated hide= keys add up", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&lang=xx&hide=nope&seed=abc");
  const s = await status(page);
  assert.match(s.error, /`lang` = "xx" is not allowed: use one of en, zh-CN/);
  assert.match(s.error, /`hide` names unknown parts \(nope\)/);
  assert.match(s.error, /`seed` = "abc"/);
  assert.match(s.error, /Opening with the first-minute settings instead/);
  await page.close();

  const teacher = await openPage("backend=cpu&hide=presets&hide=metrics,lr_g&hide=presets");
  assert.equal((await status(teacher)).error, "");
  assert.ok(await teacher.isHidden("#presets"));
  assert.ok(await teacher.isHidden("#metrics-figure"));
  assert.ok(await teacher.isHidden('label[data-field="lr_g"]'));
  await teacher.selectOption("#setting-loss", "hinge");
  await waitFor(teacher, (t) => t.config.loss === "hinge", "the new loss", 60_000);
  assert.match(await teacher.evaluate(() => location.hash), /hide=presets,metrics,lr_g(&|$)/);
  await teacher.close();
});

test("the status forgets a divergence and the last losses when another run replaces the one on screen", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&loss=least_squares&opt_d=sgd&lr_d=1&opt_g=sgd&lr_g=1");
  const diverged = await waitFor(page, (s) => s.diverged, "the divergence", 3 * 60_000);
  await waitFor(page, (s) => !s.running && s.step === diverged.diverged.back, "the run back at its last good step", 60_000);
  assert.ok(Number.isFinite((await status(page)).loss_d));

  await page.click("#reset");
  const reset = await waitFor(page, (s) => s.step === 0 && s.autosavedStep === 0, "the fresh run", 60_000);
  assert.equal(reset.diverged, null);
  assert.ok(Number.isNaN(reset.loss_d) && Number.isNaN(reset.loss_g), `losses ${reset.loss_d}, ${reset.loss_g} at step 0`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#save-run")]);
  const file = join(RESULTS, "fresh-run.ckpt");
  await download.saveAs(file);

  // Diverge again, then open the fresh run's file: the divergence belongs to the run replaced.
  await page.click("#train");
  const again = await waitFor(page, (s) => s.diverged, "the second divergence", 2 * 60_000);
  await waitFor(page, (s) => !s.running && s.step === again.diverged.back, "the run back again", 60_000);
  await page.setInputFiles("#open-run", file);
  const opened = await waitFor(page, (s) => (s.step === 0 && s.info.includes("step 0")) || s.error.includes("not opened"), "the file opened", 60_000);
  assert.equal(opened.diverged, null);
  assert.ok(Number.isNaN(opened.loss_d));
  await page.close();
});

test("a page load asks for nothing the host lacks, its icon included", { timeout: 4 * 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const failed = [];
  // Chromium reports a fetch whose body was read in full as aborted too, so aborts are no failure.
  page.on("requestfailed", (r) => { if (r.failure()?.errorText !== "net::ERR_ABORTED") failed.push(`${r.url()}: ${r.failure()?.errorText}`); });
  page.on("response", (r) => { if (r.status() >= 400) failed.push(`${r.url()}: HTTP ${r.status()}`); });
  page.on("console", (m) => { if (m.type() === "error" && /Failed to load resource/.test(m.text())) failed.push(m.text()); });
  await page.goto(`${base}#backend=cpu`);
  await waitFor(page, (s) => (s.ready && s.frames >= 1 && s.offlineReady) || s.error, "the page", 3 * 60_000);
  // Headless Chromium asks for no icon, so ask for the one a browser would: the page's own, or /favicon.ico.
  const icon = await page.evaluate(async () => {
    const href = document.querySelector('link[rel~="icon"]')?.href ?? new URL("/favicon.ico", location.href).href;
    const response = await fetch(href);
    return { href: href.slice(0, 40), ok: response.ok, type: response.headers.get("content-type") };
  });
  assert.ok(icon.ok, `the icon ${icon.href} could not be loaded`);
  assert.match(icon.type, /^image\//);
  assert.deepEqual(failed, []);
  await context.close();
});

test("seeds up to 2^53 - 1 are kept exactly, and larger ones are refused", { timeout: 4 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&seed=18446744073709551615");
  const refused = await status(page);
  assert.match(refused.error, /seed/);
  assert.equal(refused.config.seed, 0);
  await setSetting(page, "lr_d", "0.0003");
  const accepted = await waitFor(page, (s) => s.config.d.lr === 0.0003 || s.error, "a later change", 60_000);
  assert.equal(accepted.error, "");
  await page.close();

  const largest = await openPage("backend=cpu&seed=9007199254740991");
  assert.equal((await status(largest)).error, "");
  assert.equal(await largest.inputValue("#setting-seed"), "9007199254740991");
  await setSetting(largest, "lr_d", "0.0003");
  const changed = await waitFor(largest, (s) => s.config.d.lr === 0.0003 || s.error, "a change beside the seed", 60_000);
  assert.equal(changed.error, "");
  assert.equal(changed.config.seed, 9007199254740991);
  assert.match(await largest.evaluate(() => location.hash), /seed=9007199254740991(&|$)/);
  await largest.click("#step");
  await waitFor(largest, (s) => s.step === 1, "a step", 60_000);
  assert.equal(await largest.inputValue("#setting-seed"), "9007199254740991");
  await largest.close();
});

/** A small seeded generator of numbers in [0, 1) (mulberry32), so a random walk repeats. */
function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), state | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
  };
}

test("fifty random actions leave a usable page that shows one run and saved it as shown", { timeout: 8 * 60_000 }, async () => {
  const random = seededRandom(20261201);
  const pick = (list) => list[Math.floor(random() * list.length)];
  const page = await openPage("backend=cpu&seed=21");
  // Every preset but full-batch GD, whose steps take seconds each on the CPU.
  const presets = (await page.$$eval("[data-preset]", (buttons) => buttons.map((b) => b.dataset.preset))).filter((id) => id !== "full_batch");
  const damaged = () => Buffer.concat([Buffer.from("WEBGANCK"), Buffer.from(Array.from({ length: 64 }, () => Math.floor(random() * 256)))]);
  const actions = {
    train: () => press(page, "#train"),
    pause: () => press(page, "#pause"),
    step: () => press(page, "#step"),
    reset: () => press(page, "#reset"),
    preset: () => press(page, `[data-preset="${pick(presets)}"]`),
    learningRate: () => setSetting(page, "lr_d", pick(["0.0001", "0.0005", "0.001", "-1", "abc", "2"])),
    loss: () => setSetting(page, "loss", pick(["hinge", "least_squares", "non_saturating", "wgan_gp", "minimax"])),
    seed: () => setSetting(page, "seed", pick(["3", "4", "abc", "-1", "18446744073709551615"])),
    batch: () => setSetting(page, "batch", pick(["32", "64", "0", "x"])),
    open: () => page.setInputFiles("#open-run", { name: "damaged.ckpt", mimeType: "application/octet-stream", buffer: damaged() }),
  };
  const done = [];
  for (let i = 0; i < 50; i++) {
    const name = pick(Object.keys(actions));
    done.push(name);
    await actions[name]();
    // Random gaps put actions both between the worker's commands and in the middle of them.
    await new Promise((r) => setTimeout(r, random() * 300));
  }
  const trail = `actions: ${done.join(" ")}`;

  // A valid change answered means every earlier command was answered (the worker takes them in
  // order); the Step after it must then leave no error behind. The change is tried again while
  // an invalid value typed just before it is still in the controls, which refuse it with it.
  await press(page, "#pause");
  let settled;
  for (let attempt = 1; !settled; attempt++) {
    await setSetting(page, "lr_d", "0.000123");
    const s = await waitFor(page, (s) => s.config.d.lr === 0.000123 || s.error || s.crashes, "the change answered", 2 * 60_000);
    assert.equal(s.crashes, 0, trail);
    if (s.config.d.lr === 0.000123) settled = s;
    else assert.ok(attempt < 3, `${trail}; refused: ${s.error}`);
  }
  assert.ok(settled.ready && !settled.running, trail);
  await page.click("#step");
  const stepped = await waitFor(page, (s) => s.step === settled.step + 1, "a step", 60_000);
  assert.equal(stepped.error, "", trail);
  assert.ok(Number.isFinite(stepped.step) && stepped.step >= 0);

  await page.click("#train");
  await waitFor(page, (s) => s.running && s.step >= stepped.step + 3, "training", 2 * 60_000);
  await page.click("#pause");
  const paused = await waitFor(page, (s) => !s.running && s.autosavedStep === s.step, "the save on pause", 60_000);
  assert.equal(paused.error, "", trail);
  await assertOneRunOnChart(page);
  await waitForSaveOfRunOnScreen(page, 30_000);
  await page.close();
});

test("start-up says what it is doing, names no backend before one runs, and orients a newcomer", { timeout: 5 * 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  // From the first paint on: every text of the status line with whether the trainer was ready,
  // and what the lab showed when it was first painted.
  await page.addInitScript(() => {
    window.startLog = { texts: [], lab: null };
    document.addEventListener("DOMContentLoaded", () => {
      const line = document.getElementById("status");
      const record = () => window.startLog.texts.push({ text: line.textContent, ready: Boolean(window.webgan?.status().ready) });
      new MutationObserver(record).observe(line, { childList: true, characterData: true, subtree: true });
      requestAnimationFrame(() => {
        const form = document.getElementById("settings");
        window.startLog.lab = { visible: form.checkVisibility(), loss: form.elements.loss?.value };
        window.startLog.waiting = document.getElementById("samples-waiting").checkVisibility();
      });
    });
  });
  await page.goto(`${base}#backend=webgpu`);
  const s = await waitFor(page, (t) => (t.ready && t.frames >= 1 && t.config) || t.error, "the page", 3 * 60_000);
  assert.equal(s.error, "");
  const log = await page.evaluate(() => window.startLog);
  const starting = log.texts.filter((e) => !e.ready).map((e) => e.text);
  assert.ok(starting.length >= 2, `the status line said too little while starting: ${JSON.stringify(starting)}`);
  for (const text of starting) {
    assert.doesNotMatch(text, /CPU fallback|WebGPU:|steps\/s|paused/, `the status named a backend or a rate before the trainer ran: "${text}"`);
  }
  assert.ok(starting.some((text) => /Loading the trainer|Loading 10 000 MNIST digits/.test(text)), JSON.stringify(starting));
  assert.ok(starting.some((text) => /Compiling GPU kernels|Running a first step/.test(text)), JSON.stringify(starting));
  assert.match(await page.textContent("#status"), s.backend === "webgpu" ? /WebGPU:/ : /CPU fallback/);
  // The lab was not painted with placeholder settings; the grid waited under a label.
  assert.equal(log.lab.visible, false, `the lab was shown before the settings arrived (loss: ${log.lab.loss})`);
  assert.ok(log.waiting, "the grid showed no placeholder while starting");
  assert.equal(await page.isVisible("#samples-waiting"), false, "the placeholder stayed over the digits");
  assert.equal(await page.inputValue("#setting-loss"), s.config.loss);
  // Three lines of orientation beside the grid, inside the first screen, and a way to the explanation.
  const box = await page.$eval("#orientation", (el) => el.getBoundingClientRect().toJSON());
  assert.ok(box.bottom <= 900 && box.height > 40, `the orientation is not on the first screen: ${JSON.stringify(box)}`);
  assert.equal(await page.$$eval("#orientation li", (items) => items.filter((li) => li.textContent.length > 20).length), 3);
  const explainBeforeLab = await page.evaluate(() =>
    Boolean(document.getElementById("explain").compareDocumentPosition(document.getElementById("lab")) & Node.DOCUMENT_POSITION_FOLLOWING));
  assert.ok(explainBeforeLab, "the explanation comes after the whole lab");
  await page.click("#explain-link");
  await page.waitForFunction(() => document.getElementById("explain").getBoundingClientRect().top < innerHeight);
  // The same in Chinese: the orientation and the start-up status are translated.
  const zh = await context.newPage();
  await zh.goto(`${base}#lang=zh-CN`);
  await waitFor(zh, (t) => t.ready || t.error, "the Chinese page", 3 * 60_000);
  assert.match(await zh.textContent("#orientation"), /生成器/);
  await zh.close();
  await context.close();
});
