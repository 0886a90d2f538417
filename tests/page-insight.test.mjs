// What D sees and whether G copies: the heat maps of ∇ₓD and the nearest training digits come with
// the measurements of the digits on the CPU path and on SwiftShader's WebGPU, in both languages,
// and a toy run (whose plane already shows D, and which has no training digits) has neither.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { usePage, browser, RESULTS, openPage, waitFor } from "./page/harness.mjs";

usePage();

/** What the view shows: whether it is visible, its labels, and its canvas's red and blue pixels. */
const insight = (page) =>
  page.evaluate(() => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById("saliency"));
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let red = 0, blue = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i] > data[i + 2] + 60) red += 1;
      if (data[i + 2] > data[i] + 60) blue += 1;
    }
    const figure = document.getElementById("insight-figure");
    return {
      visible: !figure.hidden && figure.getBoundingClientRect().height > 0,
      width: canvas.width,
      labels: [...document.querySelectorAll("#saliency-verdicts li")].map((li) => [...li.childNodes].map((n) => n.textContent).join(" | ")),
      caption: figure.querySelector("figcaption").textContent,
      red,
      blue,
    };
  });

/** What "Is G copying?" shows: whether it is visible, its picture's size and lit pixels, the
 * distances under it and its summary. */
const copying = (page) =>
  page.evaluate(() => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.getElementById("neighbours"));
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    let lit = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] > 128) lit += 1;
    const figure = document.getElementById("copying-figure");
    const numbers = (id) => [...document.querySelectorAll(`#${id} li`)].map((li) => Number(li.textContent));
    return {
      visible: !figure.hidden && figure.getBoundingClientRect().height > 0,
      size: [canvas.width, canvas.height],
      lit,
      features: numbers("neighbours-features"),
      pixels: numbers("neighbours-pixels"),
      summary: document.getElementById("copying-summary").textContent,
    };
  });

/** Checks "Is G copying?" on a page whose measurements have begun, and returns what it shows. */
async function checkCopying(page) {
  const s = await waitFor(page, (t) => (t.metrics && t.metrics.closeness) || t.error, "a measurement against the training digits", 5 * 60_000);
  assert.equal(s.error, "");
  const c = s.metrics.closeness;
  for (const share of [c.share, c.reference]) assert.ok(share >= 0 && share <= 1, JSON.stringify(c));
  assert.ok(c.threshold > 0 && ["copying", "like_real", "apart"].includes(c.standing), JSON.stringify(c));
  const view = await copying(page);
  assert.ok(view.visible, "the view is shown");
  // The grid's diagonal over three neighbours in features and three in pixels.
  assert.deepEqual(view.size, [8 * 28 + 7 * 2, 7 * 28 + 6 * 2]);
  assert.ok(view.lit > 500, `the training digits are painted: ${view.lit} lit pixels`);
  assert.equal(view.features.length, 8);
  assert.equal(view.pixels.length, 8);
  assert.ok([...view.features, ...view.pixels].every((d) => d > 0 && Number.isFinite(d)), JSON.stringify(view));
  assert.match(view.summary, /of G's digits lie within τ = \d+\.\d\d of a training digit; real digits: \d+ %/);
  return view;
}

/** Waits for the view of a run at `hash`, checks it and returns the page. */
async function viewOf(hash, context, timeoutMs) {
  const page = await openPage(hash, context);
  const s = await waitFor(page, (t) => t.saliency || t.error, "what D sees", timeoutMs);
  assert.equal(s.error, "");
  assert.equal(s.saliency.verdicts.length, 5, "four grid digits and a real one");
  assert.ok(s.saliency.verdicts.every((v) => v >= 0 && v <= 1), JSON.stringify(s.saliency));
  const view = await insight(page);
  assert.ok(view.visible, "the view is shown");
  assert.equal(view.width, 5 * 28 + 4 * 2);
  assert.ok(view.red > 20 && view.blue > 20, `both colours are painted: ${view.red} red, ${view.blue} blue`);
  assert.match(view.labels[0], /^G \| D 0\.\d\d$/);
  assert.match(view.labels[4], /^real \| D 0\.\d\d$/);
  assert.match(view.caption, /red pixels would make D more convinced/);
  return page;
}

test("what D sees appears with the measurements on the CPU path, in both languages, at three sizes", { timeout: 8 * 60_000 }, async () => {
  for (const [width, height] of [[1280, 900], [1024, 768], [390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await viewOf("backend=cpu&autostart=1&seed=3", context, 2 * 60_000);
    await page.$eval("#insight-figure", (f) => f.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: join(RESULTS, `insight-${width}x${height}.png`) });
    await checkCopying(page);
    await page.$eval("#copying-figure", (f) => f.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: join(RESULTS, `copying-${width}x${height}.png`) });
    if (width === 1280) {
      const before = (await waitFor(page, (s) => s.saliency, "a view", 1000)).saliency.step;
      await waitFor(page, (s) => s.saliency.step > before, "the view of a later step", 60_000);
      await page.click("#lang");
      await page.waitForFunction(() => /红色像素/.test(document.querySelector("#insight-figure figcaption").textContent), null, { timeout: 30_000 });
      assert.match((await copying(page)).summary, /G 的数字中有 \d+ % 与某个训练数字的距离小于 τ/);
      assert.equal(await page.textContent("#copying-title"), "G 在抄训练集吗？");
      const zh = await insight(page);
      assert.match(zh.labels[4], /^真实 \| D 0\.\d\d$/);
      assert.equal(await page.textContent("#insight-title"), "D 看到了什么");
      // Later in the run D looks at strokes rather than noise.
      await waitFor(page, (s) => s.step >= 1500 || s.error, "1 500 steps", 3 * 60_000);
      const later = (await waitFor(page, (s) => s.saliency, "a view", 1000)).saliency.step;
      await waitFor(page, (s) => s.saliency.step > later, "a view after 1 500 steps", 60_000);
      await page.$eval("#insight-figure", (f) => f.scrollIntoView({ block: "center" }));
      await page.screenshot({ path: join(RESULTS, "insight-1280x900-zh-trained.png") });
    }
    await context.close();
  }
});

test("what D sees and the nearest training digits appear on SwiftShader's WebGPU too", { timeout: 8 * 60_000 }, async () => {
  const page = await viewOf("backend=webgpu&autostart=1&seed=3", browser, 5 * 60_000);
  await checkCopying(page);
  await page.close();
});

test("without the training digits' features the view says why, in the reader's language, and the rest is measured", { timeout: 4 * 60_000 }, async () => {
  const context = await browser.newContext();
  await context.route("**/train_features.bin", (route) => route.fulfill({ status: 404, body: "" }));
  const page = await openPage("backend=cpu&autostart=1&seed=3&lang=en", context);
  const s = await waitFor(page, (t) => t.metrics || t.error, "a measurement", 2 * 60_000);
  assert.equal(s.error, "");
  assert.ok(Number.isFinite(s.metrics.fid) && s.metrics.recall >= 0, "FID, precision and recall are measured");
  assert.ok(!s.metrics.closeness, "no share without the training digits");
  const view = await copying(page);
  assert.ok(view.visible, "the view is there to say why it is empty");
  assert.equal(await page.isVisible("#neighbours"), false, "with no picture");
  assert.match(view.summary, /^No comparison with the training digits: .*train_features\.bin could not be loaded \(HTTP 404\).*\. The other measurements go on\.$/);
  await page.click("#lang");
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
  assert.match((await copying(page)).summary, /^无法与训练数字比较：.*train_features\.bin.*404.*其他测量照常进行。$/);
  await context.close();
});

test("a toy run has no view of D's gradient over digits, nor of training digits", { timeout: 3 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&data=ring", browser);
  await waitFor(page, (s) => s.step >= 200 || s.error, "200 toy steps", 60_000);
  await new Promise((r) => setTimeout(r, 6000)); // past the first measurement a digit run would make
  const s = await waitFor(page, () => true, "the status", 1000);
  assert.equal(s.view, "plane");
  assert.equal(s.saliency, null);
  assert.equal((await insight(page)).visible, false);
  assert.equal((await copying(page)).visible, false);
  assert.equal(s.metrics, null);
  await page.close();
});

test("precision and recall come with each measurement, beside the FID, in both languages", { timeout: 4 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&seed=3&lang=en");
  const s = await waitFor(page, (t) => (t.metrics && t.metrics.reading) || t.error, "a measurement with precision and recall", 2 * 60_000);
  assert.equal(s.error, "");
  for (const share of [s.metrics.precision, s.metrics.recall]) assert.ok(share >= 0 && share <= 1, JSON.stringify(s.metrics));
  assert.ok(["good", "narrow", "blurry", "poor", "mixed"].includes(s.metrics.reading), s.metrics.reading);
  const panel = await page.textContent("#metrics");
  assert.match(panel, /Precision \(G's digits among real ones\)/);
  assert.match(panel, /Recall \(real digits G reaches\)/);
  assert.ok((await page.textContent("#fidelity-reading")).length > 20);
  // The chart's panel of the two, on a fixed 0–1 scale, once they are measured.
  await page.waitForFunction(() => [...document.querySelectorAll(".chart-panel:not([hidden]) .u-label")].some((l) => l.textContent === "recall"), null, { timeout: 60_000 });
  await page.click("#lang");
  await page.waitForFunction(() => /精确率/.test(document.getElementById("metrics").textContent), null, { timeout: 30_000 });
  assert.match(await page.textContent("#fidelity-reading"), /[\u4e00-\u9fff]/);
  await page.close();
});
