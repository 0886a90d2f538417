// What every page test shares: the built page served under a sub-path, as a course site would
// host it (so no absolute path can hide), one headless Chromium (WebGPU through SwiftShader), and
// the helpers that drive the page like a visitor through the `window.webgan.status()` contract.
// A test file calls `usePage()` once at its top.
import { before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { launchChromium } from "../../tools/chromium.mjs";
import { serve } from "../../tools/serve.mjs";

export const RESULTS = new URL("../../test-results/", import.meta.url).pathname;
export const PREFIX = "/course/webgan/";
export let server, browser, base;

/** Starts the server and the browser before the file's tests, and stops them after. */
export function usePage() {
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
}

export const status = (page) => page.evaluate(() => window.webgan.status());

/** Mean and standard deviation of the sample canvas's pixels, plus a fingerprint of them. */
export const canvasPixels = (page) =>
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

/** Leaves pictures (arrays of pixels, which the page hands over as objects) out of a status
 * printed in a failure. */
const brief = (key, value) => (value && typeof value === "object" && Object.keys(value).length > 256 ? `(${key}: a picture)` : value);

export async function waitFor(page, predicate, what, timeoutMs) {
  const start = Date.now();
  for (;;) {
    const s = await status(page);
    if (predicate(s)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}; status: ${JSON.stringify(s, brief)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Opens the page at `hash` and waits until its worker has drawn the first frame. */
export async function openPage(hash, context = browser) {
  const page = await context.newPage();
  await page.goto(`${base}#${hash}`);
  await waitFor(page, (s) => s.ready && s.config && s.frames >= 1, "the page", 3 * 60_000);
  return page;
}

/** Sets a control of the lab as a student would type into it, then leaves it. */
export const setSetting = (page, key, value) =>
  page.$eval(`#setting-${key}`, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, value);

/** Clicks a button as a visitor does: nothing happens while it is disabled. */
export const press = (page, selector) => page.$eval(selector, (button) => button.click());

/** The runs saved automatically in the page's IndexedDB: `[{query, step}]`. */
export const savedRuns = (page) =>
  page.evaluate(() => new Promise((resolve, reject) => {
    const opening = indexedDB.open("webgan");
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains("autosaves")) return resolve([]);
      const all = db.transaction("autosaves").objectStore("autosaves").getAll();
      all.onsuccess = () => resolve(all.result.map(({ query, step }) => ({ query, step })));
      all.onerror = () => reject(all.error);
      db.close();
    };
  }));

/** Waits until the autosave of the run on screen holds its settings and step. */
export async function waitForSaveOfRunOnScreen(page, timeoutMs) {
  const start = Date.now();
  for (;;) {
    const s = await status(page);
    const runs = await savedRuns(page);
    if (runs.some((r) => r.query === s.query && r.step === s.step)) return s;
    if (Date.now() - start > timeoutMs) throw new Error(`no save of ${s.query} at step ${s.step}: ${JSON.stringify(runs)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Asserts that the chart shows one run: its steps rise strictly and end at the step on screen. */
export async function assertOneRunOnChart(page) {
  const steps = await page.evaluate(() => window.webgan.curveSteps());
  const s = await status(page);
  for (let i = 1; i < steps.length; i++) assert.ok(steps[i] > steps[i - 1], `the curves mix runs: step ${steps[i]} after ${steps[i - 1]}`);
  if (steps.length) assert.ok(steps.at(-1) <= s.step, `a curve point at step ${steps.at(-1)} beyond the run's step ${s.step}`);
  return steps;
}
