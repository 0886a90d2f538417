// Stacked MNIST on the page's CPU path: the link opens it, it trains, the grid shows colour
// (three digits per image as red, green and blue), and the metrics panel counts the triples.
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePage, waitFor, openPage } from "./page/harness.mjs";

usePage();

test("data=stacked opens, trains in colour and shows the triples G draws", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&data=stacked&autostart=1&lang=en");
  const s = await waitFor(page, (s) => s.metrics && s.metrics.modes && s.step > 0, "a measurement of stacked digits", 3 * 60_000);
  assert.equal(s.config.data, "stacked");
  assert.equal(s.metrics.modes.modes, 1000);
  assert.ok(s.metrics.modes.covered >= 1 && s.metrics.modes.covered <= s.metrics.count, JSON.stringify(s.metrics.modes));
  assert.ok(Number.isFinite(s.metrics.modes.kl_uniform));
  const panel = await page.textContent("#metrics");
  assert.match(panel, /Triples drawn \(of 1 000\)/);
  assert.ok(panel.includes(`${s.metrics.modes.covered} / 1000`), panel);
  const colour = await page.evaluate(() => {
    const c = document.getElementById("samples");
    const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    let differ = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[i + 1] || data[i + 1] !== data[i + 2]) differ++;
    return differ;
  });
  assert.ok(colour > 100, `${colour} pixels whose channels differ`);
  await page.close();
});
