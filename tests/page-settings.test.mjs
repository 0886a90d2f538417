// The lab is the trainer's settings schema laid out: one control per setting, in the schema's
// groups, each changing the link through the trainer, and shown only where the trainer says it
// matters. The page is driven like a visitor would, as in tests/page.test.mjs.
import { test } from "node:test";
import assert from "node:assert/strict";
import { usePage, status, waitFor, openPage, setSetting } from "./page/harness.mjs";

usePage();

const visible = (page, key) => page.isVisible(`label[data-field="${key}"]`);

test("the lab's controls come from the trainer's schema, change the link and show where they matter", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&preset=seed_article");
  const schema = await page.evaluate(() => window.webgan.settingsSchema());
  const controls = schema.settings.filter((s) => s.group !== null);
  assert.ok(controls.length >= 30, `${controls.length} controls`);

  // One control per setting, in the schema's groups and order, showing the value in force.
  assert.deepEqual(await page.$$eval("fieldset[data-group]", (sets) => sets.map((s) => s.dataset.group)), schema.groups);
  for (const group of schema.groups) {
    const keys = await page.$$eval(`fieldset[data-group="${group}"] label[data-field]`, (labels) => labels.map((l) => l.dataset.field));
    assert.deepEqual(keys, controls.filter((s) => s.group === group).map((s) => s.key), group);
  }
  for (const setting of controls) {
    assert.equal(await page.locator(`#setting-${setting.key}`).count(), 1, setting.key);
    const shown = await page.inputValue(`#setting-${setting.key}`);
    if (setting.options.length) {
      assert.deepEqual(await page.$$eval(`#setting-${setting.key} option`, (o) => o.map((x) => x.value)), setting.options, setting.key);
      assert.equal(shown, setting.default, setting.key);
    } else {
      assert.equal(Number(shown), Number(setting.default), `${setting.key} shows its default`);
    }
  }

  // Settings that do not act under the non-saturating loss are hidden; those that do are shown.
  assert.equal(await visible(page, "clip"), false, "clip under the non-saturating loss");
  assert.equal(await visible(page, "gp"), false);
  assert.equal(await visible(page, "real_label"), true);

  // A control's value goes through the trainer into the link, and the trainer's answer decides
  // what is shown: weight clipping's c appears with WGAN-clip, the real label goes.
  await page.selectOption("#setting-loss", "wgan_clip");
  await waitFor(page, (s) => s.config.loss === "wgan_clip", "the new loss", 60_000);
  await page.waitForSelector('label[data-field="clip"]', { state: "visible" });
  assert.equal(await visible(page, "real_label"), false);
  await setSetting(page, "clip", "0.05");
  const clipped = await waitFor(page, (s) => s.config.clip === 0.05, "the new clip", 60_000);
  assert.equal(clipped.error, "");
  assert.match(await page.evaluate(() => location.hash), /(^#|&)clip=0\.05(&|$)/);
  await setSetting(page, "lr_d", "0.0003");
  await waitFor(page, (s) => s.config.d.lr === 0.0003, "D's new learning rate", 60_000);
  assert.match(await page.evaluate(() => location.hash), /(^#|&)lr_d=0\.0003(&|$)/);

  // Back to the non-saturating loss: c is hidden again but keeps its value, in the link too.
  await page.selectOption("#setting-loss", "non_saturating");
  await waitFor(page, (s) => s.config.loss === "non_saturating", "the loss back", 60_000);
  await page.waitForSelector('label[data-field="clip"]', { state: "hidden" });
  assert.equal(await page.inputValue("#setting-clip"), "0.05");
  assert.match(await page.evaluate(() => location.hash), /(^#|&)clip=0\.05(&|$)/);

  // The link's settings come back into the controls on a fresh page.
  const again = await openPage((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(await again.inputValue("#setting-clip"), "0.05");
  assert.equal(await again.inputValue("#setting-lr_d"), "0.0003");
  assert.equal((await status(again)).error, "");
  await again.close();
  await page.close();
});

test("a link without settings opens the first-minute preset, and the DCGAN keeps a width of its own", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu&autostart=1");
  const opened = await status(page);
  const { hidden, hidden_d, batch_size, real_label, ema, channels } = opened.config;
  assert.deepEqual({ hidden, hidden_d, batch_size, real_label, ema, channels }, { hidden: 512, hidden_d: 256, batch_size: 128, real_label: 0.9, ema: 0.99, channels: 128 });
  assert.equal(await page.evaluate(() => location.hash), "#batch=128&hidden_g=512&hidden_d=256&real_label=0.9&ema=0.99&backend=cpu");
  assert.match(await page.textContent("#preset-outcome"), /512 units wide and D's 256/, "the opening preset says what to expect");
  assert.deepEqual([await visible(page, "hidden_g"), await visible(page, "hidden_d")], [true, true]);
  assert.equal(await page.textContent('label[data-field="hidden_d"] span'), "D's hidden width");
  assert.equal(await visible(page, "channels"), false);

  // The DCGAN, chosen from there, takes its own 128 channels rather than the MLP's 512 units.
  await page.selectOption("#setting-model", "dcgan");
  const dcgan = await waitFor(page, (s) => (s.config.model === "dcgan" && s.step >= 1) || s.error, "a DCGAN step", 3 * 60_000);
  assert.equal(dcgan.error, "");
  assert.equal(dcgan.config.channels, 128);
  await page.waitForSelector('label[data-field="channels"]', { state: "visible" });
  assert.deepEqual([await visible(page, "hidden_g"), await visible(page, "hidden_d")], [false, false]);
  assert.doesNotMatch(await page.evaluate(() => location.hash), /hidden/, "the MLP's widths are not part of a DCGAN's link");

  // The seed article's defaults have a link of their own, which opens them again.
  await page.click('[data-preset="seed_article"]');
  await waitFor(page, (s) => (s.config.hidden === 128 && s.config.model === "mlp") || s.error, "the seed article", 3 * 60_000);
  assert.equal(await page.evaluate(() => location.hash), "#preset=seed_article&backend=cpu");
  await page.close();
});
