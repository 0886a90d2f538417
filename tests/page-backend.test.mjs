// The backend the page trains on, chosen by what the browser's WebGPU adapter reports (headless
// Chromium here offers WebGPU only through SwiftShader, a software adapter), and "Check this
// computer", which measures every backend without touching the run on screen or its save.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { usePage, browser, RESULTS, status, canvasPixels, waitFor, openPage, savedRuns, waitForSaveOfRunOnScreen } from "./page/harness.mjs";

usePage();

test("on a software adapter the page trains on the CPU by default and says why, in both languages", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("autostart=1&seed=3");
  const s = await waitFor(page, (t) => t.step >= 3 || t.error, "3 steps", 2 * 60_000);
  assert.equal(s.error, "");
  assert.equal(s.backend, "cpu");
  assert.equal(s.backendReason, "auto_cpu_fallback", "headless Chromium marks SwiftShader as a fallback adapter");
  assert.match(s.notice, /WebGPU runs on the processor here .*swiftshader.*CPU path.*backend=webgpu/);
  assert.ok(await page.isVisible("#notice"));
  assert.match(await page.textContent("#status"), /CPU fallback/);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /backend=/, "the link keeps the choice to the page");
  await page.click("#lang");
  await page.waitForFunction(() => /处理器/.test(document.getElementById("notice").textContent), null, { timeout: 30_000 });
  assert.match(await page.textContent("#notice"), /CPU 路径.*backend=webgpu/);
  await page.close();

  const forced = await openPage("backend=webgpu&autostart=1&seed=3");
  const gpu = await waitFor(forced, (t) => t.step >= 2 || t.error, "2 WebGPU steps", 4 * 60_000);
  assert.equal(gpu.error, "");
  assert.equal(gpu.backend, "webgpu");
  assert.equal(gpu.backendReason, "");
  assert.equal(gpu.notice, "");
  assert.match(gpu.adapter, /swiftshader/);
  assert.equal(gpu.fused, true, "a GPU fuses operations unless the link says fusion=off");
  assert.match(await forced.evaluate(() => location.hash), /backend=webgpu/);
  await forced.close();
});

test("a GPU that fuses operations trains the same steps as one that does not, in fewer kernel launches", { timeout: 8 * 60_000 }, async () => {
  const STEPS = 4;
  /** Presses Step STEPS times on `fusion`'s page: the last step's statistics and the compute
   * dispatches of one press (a step and its frame), without the classifier's measurements. */
  const trained = async (fusion) => {
    const context = await browser.newContext();
    await context.route("**/classifier.bin", (route) => route.fulfill({ status: 404, body: "" }));
    const page = await openPage(`backend=webgpu&fusion=${fusion}&seed=5`, context);
    const first = await status(page);
    assert.equal(first.error, "");
    assert.equal(first.backend, "webgpu");
    assert.equal(first.fused, fusion === "on", "the link's choice");
    let s = first;
    for (let step = 1; step <= STEPS; step++) {
      await page.click("#step");
      s = await waitFor(page, (t) => t.step === step || t.error, `step ${step}`, 2 * 60_000);
      assert.equal(s.error, "");
    }
    await context.close();
    return { s, dispatches: (s.memory.gpuDispatches - first.memory.gpuDispatches) / STEPS };
  };
  const fused = await trained("on"); // as a link that says nothing of fusion
  const unfused = await trained("off");
  for (const key of ["loss_d", "loss_g", "d_real", "d_fake", "grad_norm_d", "grad_norm_g"]) {
    const [a, b] = [fused.s[key], unfused.s[key]];
    assert.ok(Number.isFinite(a) && Math.abs(a - b) <= 1e-3 * Math.max(1, Math.abs(b)), `${key}: fused ${a}, unfused ${b}`);
  }
  console.log(`dispatches per step and frame: fused ${fused.dispatches}, unfused ${unfused.dispatches}`);
  assert.ok(fused.dispatches < 0.75 * unfused.dispatches, `fused ${fused.dispatches}, unfused ${unfused.dispatches}`);
});

test("Check this computer measures both workloads on WebGPU and the CPU, names the faster, and leaves the run as it was", { timeout: 6 * 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await openPage("backend=cpu&autostart=1&seed=31", context);
  await waitFor(page, (s) => s.step >= 5 || s.error, "5 CPU steps", 60_000);
  await page.click("#pause");
  await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the save on pause", 60_000);
  const before = await waitForSaveOfRunOnScreen(page, 60_000);
  const savedBefore = await savedRuns(page);
  const pixelsBefore = await canvasPixels(page);

  // A short window per run; the DCGAN's first step on SwiftShader misses the deadline.
  const report = await page.evaluate(() => window.webgan.benchmark({ seconds: 1.5 }));
  const lines = report.lines;
  assert.deepEqual(lines.map((l) => `${l.backend} ${l.workload}`), ["cpu mlp", "cpu opening", "cpu dcgan", "webgpu mlp", "webgpu opening", "webgpu dcgan"]);
  for (const line of lines) {
    assert.equal(line.batch, line.workload === "opening" ? 128 : 64);
    assert.equal(line.architecture, "swiftshader");
    assert.equal(line.fallback, true);
    assert.ok(line.features.includes("subgroups"), JSON.stringify(line.features));
    assert.equal(line.page_default, "cpu");
    assert.ok(line.threads >= 1);
  }
  for (const line of lines.slice(0, 5)) {
    assert.equal(line.error, null, `${line.backend} ${line.workload}: ${line.error}`);
    assert.ok(line.first_step_ms > 0 && line.steps >= 1, JSON.stringify(line));
    assert.ok(line.ms_per_step > 0 && line.steps_per_s > 0, JSON.stringify(line));
  }
  assert.equal(lines[0].dispatches_per_step, null, "the CPU dispatches no GPU work");
  assert.deepEqual(lines.slice(0, 5).map((l) => l.fused), [null, null, null, true, true], "fusion is said where there is a GPU");
  assert.equal(lines[0].webgan_bench, 3);
  assert.ok(lines[3].dispatches_per_step > 10 && lines[3].submits_per_step >= 1, JSON.stringify(lines[3]));
  const dcgan = lines[5];
  assert.ok(dcgan.steps_per_s > 0 || dcgan.first_step_over_ms >= 20_000, JSON.stringify(dcgan));

  // The verdict names the faster backend of each workload, in words too.
  const fastest = (workload) => lines.filter((l) => l.workload === workload && l.steps_per_s).sort((a, b) => b.steps_per_s - a.steps_per_s)[0];
  assert.equal(report.verdict.mlp.backend, fastest("mlp").backend);
  assert.equal(report.verdict.opening.backend, fastest("opening").backend);
  assert.equal(report.verdict.dcgan?.backend, fastest("dcgan")?.backend);
  const name = (best) => ({ cpu: "the CPU path", webgpu: "WebGPU" })[best.backend];
  const opening = `the run the page opens with at [0-9.]+ steps/s on ${name(report.verdict.opening)}: all ten digits in about \\d+ (s|min)`;
  assert.match(report.sentence, new RegExp(`^This computer trains the MLP at [0-9.]+ steps/s on ${name(report.verdict.mlp)}, and ${opening}`));
  assert.equal(await page.textContent("#bench-verdict"), report.sentence);
  assert.equal(await page.locator("#bench-rows tr").count(), 6);
  const copied = (await page.inputValue("#bench-text")).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(copied, lines, "the text to copy is the report, one JSON line per run");
  await page.locator("#bench").screenshot({ path: join(RESULTS, "bench-report.png") });
  console.log(report.sentence);
  for (const line of lines) console.log(JSON.stringify(line));

  // The run on screen and its save are as they were.
  const after = await status(page);
  assert.equal(after.error, "");
  assert.deepEqual([after.step, after.query, after.curvePoints, after.running], [before.step, before.query, before.curvePoints, false]);
  assert.deepEqual(await savedRuns(page), savedBefore);
  assert.equal((await canvasPixels(page)).hash, pixelsBefore.hash);
  await page.click("#step");
  await waitFor(page, (s) => s.step === before.step + 1, "a step after the check", 60_000);

  // In Chinese the verdict is painted again.
  await page.click("#lang");
  await page.waitForFunction(() => /这台电脑/.test(document.getElementById("bench-verdict").textContent), null, { timeout: 30_000 });
  await context.close();
});
