// The chart, in the built page: the crosshair reads the curves' values, smoothing redraws them
// without touching the data, panels appear only with data, the chart sits beside the digits on a
// projector and fits a phone, and kept runs go by their preset's name.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { usePage, browser, waitFor, openPage } from "./page/harness.mjs";

usePage();

/** Per visible panel, its legend as shown: `[[label, value], ...]`, the step first. */
const legends = (page) =>
  page.$$eval(".chart-panel:not([hidden])", (panels) => panels.map((panel) =>
    [...panel.querySelectorAll(".u-legend tr.u-series")]
      .filter((row) => getComputedStyle(row).display !== "none")
      .map((row) => [row.querySelector(".u-label")?.textContent ?? "", row.querySelector(".u-value")?.textContent ?? ""])));

/** The labels of every visible panel's legend. */
const labels = async (page) => (await legends(page)).flat().map(([label]) => label);

/** A fingerprint of the pixels of the `n`-th visible panel's plot. */
const panelPixels = (page, n) =>
  page.$$eval(".chart-panel:not([hidden]) canvas", (canvases, i) => {
    const c = /** @type {HTMLCanvasElement} */ (canvases[i]);
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let hash = 0;
    for (let k = 0; k < data.length; k += 4) hash = (hash * 31 + data[k] + 7 * data[k + 2]) | 0;
    return hash;
  }, n);

/** Points the mouse at `fraction` of the width of the `n`-th visible panel's plot, mid-height. */
async function hover(page, n, fraction) {
  const plot = page.locator(".chart-panel:not([hidden]) .u-over").nth(n);
  await plot.scrollIntoViewIfNeeded();
  const box = await plot.boundingBox();
  assert.ok(box, "the panel has a plot");
  await page.mouse.move(box.x + box.width * fraction, box.y + box.height / 2);
}

/** The curves as the page downloads them: value by `series` and step, for the run on screen. */
async function downloadedCurves(page) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#download-csv")]);
  const text = await readFile(await download.path(), "utf8");
  const rows = text.trim().split("\n").slice(1).map((line) => line.split(","));
  const current = rows[0][0];
  const values = new Map();
  for (const [run, series, step, value] of rows) if (run === current) values.set(`${series}@${step}`, Number(value));
  return { text, values };
}

/** Whether the legend's `shown` is `value` written to 4 significant digits. */
const reads = (shown, value) => Math.abs(Number(shown) - value) <= 5e-4 * Math.abs(value) + 1e-12;

/** The width of the PNG `bytes` (from its IHDR chunk). */
const pngWidth = (bytes) => bytes.readUInt32BE(16);

test("the crosshair reads every series at one step in every panel, and smoothing redraws the curves but keeps the data", { timeout: 6 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&seed=21");
  await waitFor(page, (s) => (s.step >= 60 && s.metrics) || s.error, "60 CPU steps and a measurement", 4 * 60_000);
  await page.click("#pause");
  // Pausing saves at once: then the last frame is in, and the curves stay as they are.
  await waitFor(page, (s) => (!s.running && s.autosavedStep === s.step) || s.error, "the save on pause", 60_000);
  // The FID panel once the digits were measured; no ‖∇ₓD‖ (no penalty), no Wasserstein estimate (no WGAN).
  await page.waitForFunction(() => [...document.querySelectorAll(".chart-panel:not([hidden]) .u-label")].some((l) => l.textContent === "FID"), null, { timeout: 60_000 });
  const shown = await labels(page);
  assert.ok(!shown.includes("‖∇ₓD‖") && !shown.includes("W estimate"), `legends: ${shown}`);
  // Losses, verdicts, gradients, learning rates, FID, and precision with recall.
  assert.equal(await page.locator(".chart-panel:not([hidden])").count(), 6);
  assert.ok(shown.includes("precision") && shown.includes("recall"), `legends: ${shown}`);

  await hover(page, 0, 0.5);
  const hovered = await legends(page);
  const [, step] = hovered[0][0];
  const steps = await page.evaluate(() => window.webgan.curveSteps());
  assert.ok(steps.includes(Number(step)), `the crosshair's step ${step} is a step of the curves`);
  assert.ok(Number(step) > steps[0] && Number(step) < steps.at(-1), `step ${step} is inside the run, not its last value`);
  for (const panel of hovered) assert.equal(panel[0][1], step, "every panel's crosshair is at the same step");
  const { text, values } = await downloadedCurves(page);
  const [losses, verdicts, gradients, rates] = hovered;
  for (const [panel, label, series] of [[losses, "loss D", "loss_d"], [losses, "loss G", "loss_g"], [verdicts, "D(x)", "d_real"],
    [verdicts, "D(G(z))", "d_fake"], [gradients, "‖∇L_D‖", "grad_norm_d"], [rates, "lr G", "lr_g"]]) {
    const value = values.get(`${series}@${step}`);
    const row = panel.find(([name]) => name === label);
    assert.ok(row && value !== undefined, `${label} at step ${step}: ${JSON.stringify(panel)}`);
    assert.ok(reads(row[1], value), `${label} at step ${step} reads ${row[1]}; the curve holds ${value}`);
  }

  // Smoothing off: the lines drawn change; the data, and the values read at the step, do not.
  const smoothed = await panelPixels(page, 0);
  await page.$eval("#chart-smoothing", (el) => { el.value = "0"; el.dispatchEvent(new Event("input")); });
  assert.notEqual(await panelPixels(page, 0), smoothed, "the drawn curves change");
  await hover(page, 0, 0.2);
  await hover(page, 0, 0.5);
  assert.deepEqual(await legends(page), hovered, "the values at the step stay");
  assert.equal((await downloadedCurves(page)).text, text, "the curves stay");

  // A drag zooms every panel to a step range; "Whole run" goes back.
  await hover(page, 0, 0.25);
  const box = await page.locator(".chart-panel:not([hidden]) .u-over").first().boundingBox();
  await page.mouse.move(box.x + box.width * 0.25, box.y + 10);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + 10, { steps: 4 });
  await page.mouse.up();
  assert.ok(await page.isVisible("#chart-zoom-out"));
  await hover(page, 3, 0);
  const first = Number((await legends(page))[3][0][1]);
  assert.ok(first > steps[0] + (steps.at(-1) - steps[0]) * 0.15, `the learning rates' panel starts at step ${first} after the drag`);
  await page.click("#chart-zoom-out");
  assert.ok(await page.isHidden("#chart-zoom-out"));
  await hover(page, 3, 0);
  assert.equal(Number((await legends(page))[3][0][1]), steps[0], "the whole run again");
  await page.close();
});

test("panels with no data stay hidden: no FID and no ‖∇ₓD‖ for a toy with no penalty; a penalty adds ‖∇ₓD‖", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1&data=ring&seed=23&lang=zh-CN");
  await waitFor(page, (s) => s.step >= 20 || s.error, "20 toy steps", 2 * 60_000);
  const toy = await labels(page);
  assert.ok(toy.includes("D 的损失") && toy.includes("‖∇L_D‖"), `legends in Chinese: ${toy}`);
  assert.ok(!toy.includes("FID") && !toy.includes("‖∇ₓD‖") && !toy.includes("W 估计"), `legends: ${toy}`);
  assert.equal(await page.locator(".chart-panel:not([hidden])").count(), 4, "losses, verdicts, gradients, learning rates");

  await page.selectOption("#setting-loss", "wgan_gp");
  await waitFor(page, (s) => s.config.loss === "wgan_gp", "WGAN-GP", 60_000);
  await page.waitForFunction(() => [...document.querySelectorAll(".chart-panel:not([hidden]) .u-label")].some((l) => l.textContent === "‖∇ₓD‖"), null, { timeout: 2 * 60_000 });
  const penalised = await labels(page);
  assert.ok(penalised.includes("W 估计"), `a WGAN's critic estimate: ${penalised}`);
  assert.ok(!penalised.includes("FID"));
  await page.close();
});

test("at a projector's 1024×768 the chart starts beside the digits and nothing is wider than the window; a phone gets a readable chart", { timeout: 6 * 60_000 }, async () => {
  const projector = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const page = await openPage("backend=cpu&autostart=1&seed=22", projector);
  await waitFor(page, (s) => s.step >= 5 || s.error, "5 CPU steps", 2 * 60_000);
  const layout = await page.evaluate(() => {
    const box = (el) => el.getBoundingClientRect().toJSON();
    return {
      scrollWidth: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
      grid: box(document.getElementById("samples")), plot: box(document.querySelector(".chart-panel:not([hidden]) .u-over")),
    };
  });
  assert.ok(layout.scrollWidth <= layout.width, `the page is ${layout.scrollWidth} px wide in a ${layout.width} px window`);
  assert.ok(layout.grid.top >= 0 && layout.grid.bottom <= 768, `the digits at y ${layout.grid.top}–${layout.grid.bottom}`);
  assert.ok(layout.plot.bottom <= 768, `the chart's first panel ends at y ${layout.plot.bottom}`);
  assert.ok(layout.plot.left >= layout.grid.right, "the chart is beside the digits");
  await projector.close();

  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await openPage("backend=cpu&autostart=1&seed=22", phone);
  await waitFor(small, (s) => s.step >= 5 || s.error, "5 CPU steps", 2 * 60_000);
  const fits = await small.evaluate(() => {
    const canvas = /** @type {HTMLCanvasElement} */ (document.querySelector(".chart-panel:not([hidden]) canvas"));
    return {
      scrollWidth: document.documentElement.scrollWidth, width: document.documentElement.clientWidth,
      chart: document.getElementById("chart").getBoundingClientRect().width,
      legendPx: parseFloat(getComputedStyle(document.querySelector(".u-legend")).fontSize),
      // Drawn at the size it is shown: its 12 px labels are not scaled down.
      scale: canvas.getBoundingClientRect().width / (canvas.width / devicePixelRatio),
      height: document.documentElement.scrollHeight,
      gridBottom: document.getElementById("samples").getBoundingClientRect().bottom,
      chartTop: document.getElementById("chart-figure").getBoundingClientRect().top,
    };
  });
  assert.ok(fits.scrollWidth <= fits.width, `the page is ${fits.scrollWidth} px wide in a ${fits.width} px window`);
  assert.ok(fits.chart >= 340, `the chart is ${fits.chart} px wide`);
  assert.ok(fits.legendPx >= 12, `legends in ${fits.legendPx} px`);
  assert.ok(Math.abs(fits.scale - 1) < 0.02, `the plot is drawn at ${fits.scale}× its size`);
  // The curves come right under the digits (their caption and the timeline between), before the
  // views of D, of copying and of quality, so that a student scrolls from one to the other.
  assert.ok(fits.chartTop - fits.gridBottom < 250, `the chart starts ${fits.chartTop - fits.gridBottom} px under the digits`);
  console.log(`390×844: the page is ${fits.height} px tall`);
  await phone.close();
});

test("kept runs go by their preset's name beside the run on screen, and the picture downloads at 4× for slides", { timeout: 6 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1");
  await page.click('[data-preset="toy_ring"]');
  await waitFor(page, (s) => (s.config.data === "ring" && s.step >= 20) || s.error, "20 steps of the ring", 2 * 60_000);
  await page.click("#keep-run");
  assert.ok(await page.isVisible("#run-on-screen"));
  await page.click('[data-preset="toy_mode_hopping"]');
  const hopping = await waitFor(page, (s) => (s.config.latent_dim === 100 && s.step >= 20) || s.error, "20 steps of mode hopping", 2 * 60_000);
  assert.equal(hopping.error, "");
  assert.match(await page.textContent("#kept-runs"), /Toy: ring of 8 Gaussians, to step \d+/);
  assert.match(await page.textContent("#run-on-screen"), /This run: Toy: mode hopping/);
  assert.ok((await labels(page)).includes("loss D (kept 1)"), "the kept run's curves are in the panels");

  const width = await page.$eval("#plane", (c) => c.width);
  for (const scale of ["1", "4"]) {
    await page.selectOption("#png-scale", scale);
    const [png] = await Promise.all([page.waitForEvent("download"), page.click("#download-png")]);
    assert.equal(pngWidth(await readFile(await png.path())), width * Number(scale), `the picture at ${scale}×`);
  }
  await page.close();
});
