// Lessons on the page: a shipped lesson opened by its link and walked to its last stage in both
// languages (the stage's words, its settings in force, its hidden parts, Previous and Next, the
// run pausing at the stage's step), a teacher's lesson file, and a malformed one refused by stage
// and field. Driven like a visitor, as in tests/page.test.mjs, on the CPU backend.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { usePage, status, waitFor, openPage, press, browser, RESULTS } from "./page/harness.mjs";

usePage();

const shipped = (id) => JSON.parse(readFileSync(new URL(`../www/lessons/${id}.json`, import.meta.url), "utf8"));
const text = (page, id) => page.textContent(`#${id}`);
/** Whether the element `selector` takes up room on the page (not hidden, by itself or an ancestor). */
const shown = (page, selector) => page.$eval(selector, (el) => el.getClientRects().length > 0);

/** What the saturation lesson's stages run: the loss and G's learning rate their presets set. */
const SATURATION = [
  { loss: "minimax", lrG: 0.0002, optimizerShown: false },
  { loss: "non_saturating", lrG: 0.0002, optimizerShown: false },
  { loss: "non_saturating", lrG: 0.001, optimizerShown: true },
];

/** Waits until stage `n` (from 1) is on screen with its settings in force and its fresh run going. */
const atStage = (page, n, expected) =>
  waitFor(page, (s) => s.lesson?.stage === n && s.config.loss === expected.loss && s.config.g.lr === expected.lrG && s.running && s.step < 400,
    `stage ${n} with its settings, training`, 2 * 60_000);

test("a shipped lesson walked to its last stage, in English and in Chinese", { timeout: 10 * 60_000 }, async () => {
  const lesson = shipped("saturation");
  const count = lesson.stages.length;
  for (const lang of ["en", "zh-CN"]) {
    const page = await openPage(`lesson=saturation&backend=cpu&lang=${lang}`);
    for (let n = 1; n <= count; n++) {
      const words = lesson.stages[n - 1].text[lang];
      const s = await atStage(page, n, SATURATION[n - 1]);
      assert.deepEqual({ ...s.lesson, reached: false }, { id: "saturation", stage: n, stages: count, reached: false });
      assert.equal(await text(page, "lesson-title"), lesson.title[lang]);
      assert.equal(await text(page, "lesson-stage-title"), words.title);
      assert.equal(await text(page, "lesson-read"), words.read);
      assert.equal(await text(page, "lesson-ask"), words.ask);
      assert.equal(await text(page, "lesson-observe"), words.observe);
      assert.equal(await text(page, "lesson-progress"), lang === "en" ? `Stage ${n} of ${count}` : `第 ${n} 阶段，共 ${count} 个`);
      // The link names the lesson and its stage, beside the stage's settings.
      const hash = await page.evaluate(() => location.hash);
      assert.match(hash, new RegExp(`(^#|&)lesson=saturation&stage=${n}(&|$)`));
      assert.match(hash, new RegExp(`(^#|&)backend=cpu(&|$)`), "the link's own keys stay");
      // What the stage hides is hidden, and what it shows is shown.
      assert.equal(await shown(page, "#presets"), false, `stage ${n}: presets`);
      assert.equal(await shown(page, "#bench"), false, `stage ${n}: the benchmark`);
      assert.equal(await shown(page, 'fieldset[data-group="objective"]'), true, `stage ${n}: the objective`);
      assert.equal(await shown(page, 'fieldset[data-group="optimizer_g"]'), SATURATION[n - 1].optimizerShown, `stage ${n}: G's optimiser`);
      assert.equal(await shown(page, "#chart-figure"), true);
      assert.equal(await page.isDisabled("#lesson-prev"), n === 1);
      assert.equal(await page.isDisabled("#lesson-next"), n === count);
      if (lang === "en" && n === 1) {
        // The run pauses at the stage's step, and what to observe opens.
        const paused = await waitFor(page, (x) => x.lesson.reached, "the end of stage 1", 4 * 60_000);
        assert.equal(paused.running, false);
        assert.equal(paused.step, lesson.stages[0].steps);
        await new Promise((r) => setTimeout(r, 1000));
        assert.equal((await status(page)).step, lesson.stages[0].steps, "no step after the stage's end");
        assert.equal(await page.$eval("#lesson-observe-box", (d) => d.open), true);
        assert.equal(await text(page, "lesson-run"), t(lang, "lesson_reached", { steps: lesson.stages[0].steps }));
        assert.equal(await page.isDisabled("#train"), false, "Train may carry the run on");
      }
      if (lang === "en" && n === 2) {
        // Paused and trained again within the stage, the run still pauses at the stage's end.
        await waitFor(page, (x) => x.step >= 50, "some steps of stage 2", 60_000);
        await press(page, "#pause");
        await waitFor(page, (x) => !x.running, "the pause", 30_000);
        await press(page, "#train");
        const end = await waitFor(page, (x) => x.lesson.reached, "the end of stage 2", 4 * 60_000);
        assert.equal(end.step, lesson.stages[1].steps);
      }
      if (n < count) await press(page, "#lesson-next");
    }
    // Previous goes back a stage, with that stage's settings and words; then leave the lesson.
    await press(page, "#lesson-prev");
    await atStage(page, count - 1, SATURATION[count - 2]);
    assert.equal(await text(page, "lesson-read"), lesson.stages[count - 2].text[lang].read);
    await press(page, "#lesson-leave");
    const left = await waitFor(page, (s) => s.lesson === null, "the lesson left", 30_000);
    assert.equal(await shown(page, "#lesson"), false);
    assert.equal(await shown(page, "#presets"), true, "the presets are back");
    assert.doesNotMatch(await page.evaluate(() => location.hash), /lesson=|stage=/);
    assert.equal(left.error, "");
    await page.close();
  }
});

/** The page's words for `key` in `lang`, filled in as i18n.js does. */
function t(lang, key, values) {
  const words = JSON.parse(readFileSync(new URL(`../www/i18n/${lang}.json`, import.meta.url), "utf8"))[key];
  return words.replace(/\{(\w+)\}/g, (_, name) => String(values[name]));
}

/** A two-stage lesson in a teacher's file, short enough to run out in a test. */
const FILE_LESSON = {
  title: { en: "A short lesson", "zh-CN": "一节短课" },
  stages: [
    { preset: "toy_ring", steps: 25, hide: ["lab"], text: { en: words("ring"), "zh-CN": words("环") } },
    { settings: "lr_g=0.0003&seed=3", steps: 12, text: { en: words("digits"), "zh-CN": words("数字") } },
  ],
};
function words(word) {
  return { title: `${word}: title`, read: `${word}: read`, ask: `${word}: ask`, observe: `${word}: observe` };
}

test("a teacher's lesson file opens, each stage pauses at its step, and a malformed one is refused by stage and field", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu");
  assert.equal(await shown(page, "#lesson"), false, "no lesson, no panel");
  const open = (lesson) => page.setInputFiles("#open-lesson", { name: "lesson.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(lesson)) });

  const broken = structuredClone(FILE_LESSON);
  broken.stages[1].preset = "no_such_preset";
  delete broken.stages[1].text["zh-CN"].ask;
  await open(broken);
  const refused = await waitFor(page, (s) => s.error !== "", "the refusal", 60_000);
  assert.match(refused.error, /stage 2, `preset`: "no_such_preset" is not a preset/);
  assert.match(refused.error, /stage 2, `text\.zh-CN\.ask`: is missing/);
  assert.equal(refused.lesson, null);
  // The trainer's refusal is worded by the page, so it reads in Chinese after a switch too.
  await page.click("#lang");
  await page.waitForFunction(() => document.documentElement.lang === "zh-CN");
  const worded = (await status(page)).error;
  assert.match(worded, /第 2 阶段，`preset`：“no_such_preset”不是预设；可用预设：.*toy_ring/);
  assert.match(worded, /第 2 阶段，`text\.zh-CN\.ask`：缺失/);
  await page.click("#lang");
  await page.waitForFunction(() => document.documentElement.lang === "en");
  assert.equal(await shown(page, "#lesson"), false);

  await open(FILE_LESSON);
  let s = await waitFor(page, (x) => x.lesson?.reached && x.view === "plane", "the first stage's end", 2 * 60_000);
  assert.equal(s.step, 25);
  assert.equal(s.config.data, "ring");
  assert.equal(s.lesson.id, "", "a file's lesson has no name to link to");
  assert.equal(await shown(page, "#lab"), false);
  assert.equal(await text(page, "lesson-read"), "ring: read");
  assert.doesNotMatch(await page.evaluate(() => location.hash), /lesson=/);

  await press(page, "#lesson-next");
  s = await waitFor(page, (x) => x.lesson?.stage === 2 && x.lesson.reached && x.config.seed === 3, "the second stage's end", 2 * 60_000);
  assert.equal(s.step, 12);
  assert.equal(s.config.g.lr, 0.0003);
  assert.equal(s.view, "digits");
  assert.equal(await shown(page, "#lab"), true, "the second stage hides nothing");
  await page.close();
});

test("screenshots: a lesson's stage at a laptop's, a projector's and a phone's size, and in Chinese", { timeout: 5 * 60_000 }, async () => {
  for (const [width, height, lang] of [[1280, 900, "en"], [1024, 768, "en"], [390, 844, "en"], [1280, 900, "zh-CN"]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await openPage(`lesson=mode_collapse&stage=2&backend=cpu&lang=${lang}`, context);
    await waitFor(page, (s) => s.lesson?.stage === 2 && s.view === "plane" && s.step >= 100, "stage 2 of the lesson", 2 * 60_000);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `${width}×${height}: ${overflow} px wider than the window`);
    await page.screenshot({ path: join(RESULTS, `lesson-${width}x${height}${lang === "en" ? "" : `-${lang}`}.png`) });
    await context.close();
  }
});
