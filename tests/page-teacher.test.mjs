// A teacher's tools, driven as a teacher and a student would: confirmations beside the button
// that caused them, the page by keyboard alone, a typo marked in its field, the teacher panel's
// student link (and its QR code), and the page embedded in a course page's iframe, offline too.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import qrcode from "qrcode-generator";
import { usePage, base, browser, RESULTS, PREFIX, status, waitFor, setSetting } from "./page/harness.mjs";
import { serve } from "../tools/serve.mjs";

usePage();

/** A page of its own context (clipboard allowed) at `width`×`height`, opened at `hash` and
 * waited for until its first frame. */
async function openSized(hash, width = 1280, height = 900) {
  const context = await browser.newContext({ viewport: { width, height } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const page = await context.newPage();
  await page.goto(`${base}#${hash}`);
  await waitFor(page, (s) => (s.ready && s.config && s.frames >= 1) || s.error, "the page", 3 * 60_000);
  return { context, page };
}

const box = (page, selector) => page.$eval(selector, (el) => el.getBoundingClientRect().toJSON());

/** Asserts that the confirmation `message` lies under `control` (at most `gap` px below it),
 * reaching under its middle. */
async function assertBeside(page, message, control, what, gap = 40) {
  const [m, c] = [await box(page, message), await box(page, control)];
  assert.ok(m.height > 0, `${what}: the confirmation is not shown`);
  assert.ok(m.top >= c.bottom - 2 && m.top - c.bottom < gap, `${what}: ${JSON.stringify(m)} is not under ${JSON.stringify(c)}`);
  const middle = c.left + c.width / 2;
  assert.ok(m.left <= middle && middle <= m.right, `${what}: the confirmation does not reach under the control's middle`);
  return m;
}

test("a confirmation appears beside the control that caused it, on the first screen", { timeout: 5 * 60_000 }, async () => {
  const { context, page } = await openSized("backend=cpu&seed=11");
  await page.click("#copy-link");
  const copied = await waitFor(page, (s) => s.info, "the copy confirmation", 30_000);
  assert.match(copied.info, /Link copied/);
  const shown = await assertBeside(page, "#controls-feedback", "#copy-link", "Copy link");
  assert.ok(shown.bottom <= 900, `"Link copied" is below a 900-px window: ${JSON.stringify(shown)}`);
  assert.equal(await page.textContent("#controls-feedback"), copied.info);

  // A change in the lab is confirmed in the control's group, under its row of controls and
  // pointing at it; the confirmation at the top goes.
  await setSetting(page, "lr_d", "0.0003");
  const applied = await waitFor(page, (s) => /Applied from step/.test(s.info), "the change confirmed", 60_000);
  const slot = 'fieldset[data-group="optimizer_d"] p.feedback';
  await assertBeside(page, slot, 'label[data-field="lr_d"]', "the lab's control", 140);
  assert.equal(await page.textContent(slot), applied.info);
  assert.ok(await page.isHidden("#controls-feedback"), "two confirmations at once");

  // A run resumed on reload is said under the top's controls, beside Reset, which undoes it.
  await page.click("#train");
  await waitFor(page, (s) => s.step >= 3, "3 steps", 60_000);
  await page.click("#pause");
  const paused = await waitFor(page, (s) => !s.running && s.autosavedStep === s.step, "the save on pause", 60_000);
  await page.reload();
  const resumed = await waitFor(page, (s) => (s.ready && s.resumedFrom === paused.step) || s.error, "the resumed run", 3 * 60_000);
  assert.match(resumed.info, /Resumed your run/);
  const said = await assertBeside(page, "#controls-feedback", "#reset", "Resumed");
  assert.ok(said.bottom <= 900);

  // In Chinese too.
  await page.click("#lang");
  await page.click("#copy-link");
  await waitFor(page, (s) => s.info.includes("链接已复制"), "the Chinese confirmation", 30_000);
  await assertBeside(page, "#controls-feedback", "#copy-link", "复制链接");
  await context.close();
});

test("the page works by keyboard: Space and Enter press the focused control, S steps, the live line stays calm", { timeout: 5 * 60_000 }, async () => {
  const { context, page } = await openSized("backend=cpu&seed=12");
  // Listening from the start: Playwright intercepts file choosers only once a listener exists,
  // and a listener added just before the key press can lose that race on a loaded machine.
  /** @type {any[]} */
  const choosers = [];
  page.on("filechooser", (chooser) => choosers.push(chooser));
  const before = await status(page);
  assert.equal(before.running, false);

  // Space on a focused button presses it rather than starting training.
  await page.focus("#keep-run");
  await page.keyboard.press("Space");
  await waitFor(page, (s) => s.keptRuns === 1, "the run kept", 10_000);
  await page.waitForTimeout(1000);
  let s = await status(page);
  assert.equal(s.running, false, "Space on Keep for comparison started training");
  assert.equal(s.step, before.step);

  // Enter on a focused button presses it: Step takes one step.
  await page.focus("#step");
  await page.keyboard.press("Enter");
  s = await waitFor(page, (t) => t.step === before.step + 1, "one step by Enter", 30_000);
  assert.equal(s.running, false);

  // S and s step when no control has the focus.
  await page.evaluate(() => /** @type {HTMLElement} */ (document.activeElement).blur());
  await page.keyboard.press("Shift+S");
  s = await waitFor(page, (t) => t.step === before.step + 2, "one step by S", 30_000);
  await page.keyboard.press("s");
  s = await waitFor(page, (t) => t.step === before.step + 3, "one step by s", 30_000);

  // Open run is reached by Tab after Save run, and Enter opens the file chooser.
  await page.focus("#save-run");
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.id), "open-run");
  await page.keyboard.press("Enter");
  for (let waited = 0; choosers.length === 0 && waited < 10_000; waited += 100) await page.waitForTimeout(100);
  assert.equal(choosers.length, 1, "Enter on Open run opened no file chooser");
  assert.equal(await choosers[0].element().evaluate((e) => e.id), "open-run");

  // A focused checkbox ticks and a focused select opens with Space, training stays paused.
  await page.click("#teacher-open");
  await page.focus("#teacher-autostart");
  await page.keyboard.press("Space");
  assert.equal(await page.isChecked("#teacher-autostart"), true);
  await page.focus("#png-scale");
  await page.keyboard.press("Space");
  await page.keyboard.press("Escape");
  await page.waitForTimeout(500);
  assert.equal((await status(page)).running, false, "Space on a checkbox or a select started training");

  // With no control focused, Space trains; meanwhile the live region says the state, not every step.
  await page.evaluate(() => {
    const changes = { state: 0, counter: 0, live: /** @type {Record<string, number>} */ ({}) };
    /** @type {any} */ (window).liveChanges = changes;
    const watch = (el, count) => new MutationObserver(count).observe(el, { childList: true, characterData: true, subtree: true });
    watch(document.getElementById("status-state"), () => { changes.state += 1; });
    watch(document.getElementById("status-counter"), () => { changes.counter += 1; });
    for (const el of document.querySelectorAll("[aria-live], [role=status], [role=alert]")) {
      watch(el, () => { changes.live[el.id || el.className] = (changes.live[el.id || el.className] ?? 0) + 1; });
    }
    /** @type {HTMLElement} */ (document.activeElement).blur();
  });
  await page.keyboard.press("Space");
  await waitFor(page, (t) => t.running && t.step >= s.step + 3, "training started by Space", 30_000);
  await page.waitForTimeout(8000);
  await page.keyboard.press("Space");
  await waitFor(page, (t) => !t.running, "paused by Space", 30_000);
  const changes = await page.evaluate(() => /** @type {any} */ (window).liveChanges);
  assert.ok(changes.counter >= 5, `the step counter changed only ${changes.counter} times in 8 s of training`);
  assert.ok(changes.state <= 3, `the announced status changed ${changes.state} times`);
  assert.equal(await page.getAttribute("#status-counter", "aria-live"), null);
  for (const [id, count] of Object.entries(changes.live)) assert.ok(count <= 6, `the live region ${id} changed ${count} times in about 9 s`);
  await context.close();
});

test("a typo in a setting is marked in its field with the trainer's words, and the text stays", { timeout: 5 * 60_000 }, async () => {
  const { context, page } = await openSized("backend=cpu&autostart=1&seed=13");
  const before = await waitFor(page, (s) => s.running && s.step >= 2, "training", 60_000);
  await page.fill("#setting-lr_g", "abc");
  await page.keyboard.press("Tab");
  await page.waitForSelector('#setting-lr_g[aria-invalid="true"]', { timeout: 60_000 });
  const problem = await page.textContent("#setting-lr_g-problem");
  assert.match(problem, /`lr_g` = "abc" is not a number/, "the trainer's words for what it accepts");
  assert.equal(await page.getAttribute("#setting-lr_g", "aria-describedby"), "setting-lr_g-problem");
  const [field, said] = [await box(page, "#setting-lr_g"), await box(page, "#setting-lr_g-problem")];
  assert.ok(said.top >= field.bottom - 1 && said.top - field.bottom < 20 && Math.abs(said.left - field.left) < 10,
    `the message ${JSON.stringify(said)} is not beside its field ${JSON.stringify(field)}`);
  // The field looks marked.
  assert.notEqual(await page.$eval("#setting-lr_g", (el) => getComputedStyle(el).borderColor),
    await page.$eval("#setting-lr_d", (el) => getComputedStyle(el).borderColor));
  let s = await status(page);
  assert.equal(s.error, "");
  assert.ok(await page.isHidden("#error"), "the typo opened the error box");
  assert.equal(s.invalid.lr_g, problem);
  assert.equal(s.config.g.lr, before.config.g.lr, "the run kept its learning rate");
  assert.ok(s.running, "a typo stopped training");

  // The typed text stays while frames and other changes come, and they still apply.
  await waitFor(page, (t) => t.frames >= s.frames + 3, "more frames", 30_000);
  await setSetting(page, "lr_d", "0.0003");
  await waitFor(page, (t) => t.config.d.lr === 0.0003, "D's rate applied beside the typo", 60_000);
  assert.equal(await page.inputValue("#setting-lr_g"), "abc");
  assert.equal(await page.getAttribute("#setting-lr_g", "aria-invalid"), "true");
  assert.ok(await page.isHidden("#error"));

  // A value out of range is refused in the same place, with the range the trainer allows.
  await page.fill("#setting-lr_g", "-1");
  await page.keyboard.press("Tab");
  await page.waitForFunction(() => document.getElementById("setting-lr_g-problem")?.textContent?.includes("-1"), null, { timeout: 60_000 });
  assert.match(await page.textContent("#setting-lr_g-problem"), /is not allowed: /);
  assert.equal(await page.inputValue("#setting-lr_g"), "-1");

  // Corrected, the mark goes and the value applies.
  await page.fill("#setting-lr_g", "0.0005");
  await page.keyboard.press("Tab");
  s = await waitFor(page, (t) => t.config.g.lr === 0.0005, "the corrected rate", 60_000);
  assert.equal(await page.getAttribute("#setting-lr_g", "aria-invalid"), null);
  assert.ok(await page.isHidden("#setting-lr_g-problem"));
  assert.deepEqual(s.invalid, {});
  assert.equal(s.error, "");

  // In Chinese, the refusal is worded in Chinese around the trainer's words.
  await page.click("#lang");
  await page.fill("#setting-lr_d", "abc");
  await page.keyboard.press("Tab");
  await page.waitForSelector('#setting-lr_d[aria-invalid="true"]', { timeout: 60_000 });
  assert.match(await page.textContent("#setting-lr_d-problem"), /此设置未被采用.*lr_d/);
  assert.ok(await page.isHidden("#error"));
  await context.close();
});

test("the teacher panel makes a student link that hides what was unticked and autostarts, with its QR code", { timeout: 6 * 60_000 }, async () => {
  const { context, page } = await openSized("backend=cpu");
  assert.ok(await page.isHidden("#teacher"));
  await page.click("#teacher-open");
  assert.ok(await page.isVisible("#teacher"));
  assert.equal(await page.getAttribute("#teacher-open", "aria-expanded"), "true");

  // The ticks are the page's parts and the trainer's groups and controls, as the lab has them.
  const schema = await page.evaluate(() => window.webgan.settingsSchema());
  const controls = schema.settings.filter((x) => x.group !== null);
  const groups = await page.$$eval("#teacher-groups .teacher-group", (gs) => gs.map((g) => ({
    group: g.dataset.group, keys: [...g.querySelectorAll(".teacher-ticks input")].map((i) => i.dataset.hide),
  })));
  assert.deepEqual(groups, schema.groups.map((group) => ({ group, keys: controls.filter((c) => c.group === group).map((c) => c.key) })));
  const parts = await page.$$eval("#teacher-parts input", (boxes) => boxes.map((b) => b.dataset.hide));
  for (const part of ["presets", "lab", "metrics", "chart", "timeline"]) assert.ok(parts.includes(part), part);
  assert.equal(await page.$$eval("#teacher input[data-hide]", (boxes) => boxes.filter((b) => !b.checked).length), 0, "all shown at first");

  await page.uncheck('#teacher-parts input[data-hide="presets"]');
  await page.uncheck('#teacher-parts input[data-hide="metrics"]');
  await page.uncheck('#teacher-groups input[data-hide="optimizer_d"]');
  assert.ok(await page.isDisabled('#teacher-groups input[data-hide="lr_d"]'), "a control of an unticked group can still be ticked");
  await page.uncheck('#teacher-groups input[data-hide="lr_g"]');
  await page.selectOption("#teacher-preset", "minimax");
  await page.check("#teacher-autostart");
  const link = await page.inputValue("#teacher-link");
  assert.ok(link.startsWith(`${base}#`), link);
  const hash = new URLSearchParams(link.split("#")[1]);
  assert.deepEqual(hash.get("hide")?.split(",").sort(), ["lr_g", "metrics", "optimizer_d", "presets"]);
  assert.equal(hash.get("autostart"), "1");
  assert.equal(hash.get("loss"), "minimax");
  assert.equal(hash.get("backend"), null, "a student link names no backend");

  await page.click("#teacher-copy");
  await waitFor(page, (s) => /Student link copied/.test(s.info), "the copy confirmation", 30_000);
  await assertBeside(page, "#teacher-feedback", "#teacher-copy", "Copy student link");
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), link);

  // The QR code is that link: its modules are the ones qrcode-generator makes of it here.
  const drawn = await page.$eval("#teacher-qr", (canvas) => {
    const modules = Number(canvas.dataset.modules), cell = Number(canvas.dataset.cell), quiet = 4;
    const data = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
    const dark = [];
    for (let row = 0; row < modules; row++) {
      for (let col = 0; col < modules; col++) {
        const x = (col + quiet) * cell + (cell >> 1), y = (row + quiet) * cell + (cell >> 1);
        dark.push(data[(y * canvas.width + x) * 4] < 128);
      }
    }
    return { modules, dark, shown: canvas.checkVisibility(), side: canvas.getBoundingClientRect().width };
  });
  const qr = qrcode(0, "M");
  qr.addData(link, "Byte");
  qr.make();
  assert.ok(drawn.shown && drawn.side >= 200, `the QR code is not shown large enough (${drawn.side} px)`);
  assert.equal(drawn.modules, qr.getModuleCount());
  const expected = [];
  for (let row = 0; row < drawn.modules; row++) for (let col = 0; col < drawn.modules; col++) expected.push(qr.isDark(row, col));
  assert.deepEqual(drawn.dark, expected, "the QR code is not the student link");

  // The student opens the link: the unticked parts are hidden, training starts by itself.
  const student = await context.newPage();
  await student.goto(link);
  const running = await waitFor(student, (s) => (s.running && s.step >= 3) || s.error, "the student's run training", 3 * 60_000);
  assert.equal(running.error, "");
  assert.equal(running.config.loss, "minimax");
  assert.ok(await student.isHidden("#presets"));
  assert.ok(await student.isHidden("#metrics-figure"));
  assert.ok(await student.isHidden('fieldset[data-group="optimizer_d"]'));
  assert.ok(await student.isHidden('label[data-field="lr_g"]'));
  assert.ok(await student.isVisible('label[data-field="opt_g"]'));
  assert.ok(await student.isVisible("#chart"));
  assert.ok(await student.isVisible("#samples"));
  await student.close();

  // Without autostart the student presses Train; the embed snippet appears for a course page.
  await page.uncheck("#teacher-autostart");
  assert.equal(new URLSearchParams((await page.inputValue("#teacher-link")).split("#")[1]).get("autostart"), null);
  assert.ok(await page.isHidden("#teacher-snippet-label"));
  await page.check("#teacher-embed");
  const snippet = await page.inputValue("#teacher-snippet");
  assert.match(snippet, /^<iframe src="[^"]*embed=1[^"]*"[^>]*><\/iframe>$/);
  assert.ok(snippet.includes((await page.inputValue("#teacher-link")).replaceAll("&", "&amp;")));
  await page.click("#teacher-close");
  assert.ok(await page.isHidden("#teacher"));
  await context.close();
});

/** A course page on the same host holding the page at `hash` in an iframe of `width`×`height`. */
const coursePage = (url, hash, width, height) => `<!doctype html><html><head><meta charset="utf-8"><title>Course</title>
  <style>body { margin: 0; font: 15px system-ui; } h1 { font-size: 1.1rem; margin: 8px 12px; } iframe { border: 1px solid #ccc; display: block; margin: 0 12px; }</style>
  </head><body><h1>Lesson 3: why G stops learning</h1>
  <iframe id="lesson" src="${url}#${hash}" width="${width}" height="${height}" title="webgan"></iframe></body></html>`;

test("embed=1 shows the digits, the chart and the allowed controls inside a course page's iframe, offline too", { timeout: 6 * 60_000 }, async () => {
  const own = await serve(0, "127.0.0.1", PREFIX);
  const origin = `http://127.0.0.1:${own.address().port}`;
  const url = `${origin}${PREFIX}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // The course page lies outside the page's folder (and its service worker's scope).
  await context.route(`${origin}/course.html`, (route) =>
    route.fulfill({ contentType: "text/html", body: coursePage(url, "embed=1&backend=cpu&autostart=1&hide=presets,optimizer_d", 960, 640) }));
  const page = await context.newPage();
  await page.goto(`${origin}/course.html`);
  const frame = await (await page.waitForSelector("#lesson")).contentFrame();
  assert.ok(frame);
  const s = await waitFor(frame, (t) => (t.running && t.step >= 3 && t.offlineReady) || t.error, "the embedded run", 3 * 60_000);
  assert.equal(s.error, "");

  const shown = (selector) => frame.$eval(selector, (el) => el.checkVisibility());
  for (const part of ["#samples", "#chart", "#train", "#pause", "#step", "#settings"]) assert.ok(await shown(part), `${part} is not shown embedded`);
  for (const part of ["header", "footer", "#explain", "#bench", "#orientation", "#metrics-figure", "#teacher-open", "#copy-link", "#presets", 'fieldset[data-group="optimizer_d"]']) {
    assert.equal(await shown(part), false, `${part} is shown embedded`);
  }
  // It fits the iframe's width, with the digits and the chart on its first screen.
  const fit = await frame.evaluate(() => ({
    wide: document.documentElement.scrollWidth, width: innerWidth, height: innerHeight,
    samples: document.getElementById("samples").getBoundingClientRect().toJSON(), chart: document.getElementById("chart").getBoundingClientRect().toJSON(),
  }));
  assert.ok(fit.wide <= fit.width, `the embedded page is ${fit.wide} px wide in a ${fit.width} px iframe`);
  assert.ok(fit.samples.bottom <= fit.height && fit.chart.top < fit.height / 2, `grid or chart off the iframe's first screen: ${JSON.stringify(fit)}`);
  assert.match(await frame.evaluate(() => location.hash), /embed=1/, "the address keeps embed=1");
  await page.screenshot({ path: join(RESULTS, "embed-in-course-page.png") });

  // With the host gone, the embedded page opens again from its cache and trains.
  own.closeAllConnections();
  await new Promise((resolve) => own.close(resolve));
  await frame.evaluate(() => { /** @type {any} */ (window).before = true; });
  await Promise.all([frame.waitForNavigation(), frame.evaluate(() => location.reload())]);
  assert.equal(await frame.evaluate(() => /** @type {any} */ (window).before), undefined, "the iframe did not reload");
  await waitFor(frame, (t) => (t.ready && t.frames >= 1) || t.error, "the embedded page offline", 3 * 60_000);
  assert.equal(await shown("header"), false, "embed mode lost on reload");
  assert.equal(await shown("#presets"), false, "the hidden parts came back on reload");
  await frame.click("#train");
  const again = await waitFor(frame, (t) => t.step >= 3 || t.error, "the embedded run offline", 3 * 60_000);
  assert.equal(again.error, "");
  await context.close();
});

test("screenshots: the teacher panel open and embed mode at a laptop's, a projector's and a phone's size", { timeout: 8 * 60_000 }, async () => {
  for (const [width, height] of [[1280, 900], [1024, 768], [390, 844]]) {
    const { context, page } = await openSized("backend=cpu", width, height);
    await page.click("#teacher-open");
    await page.uncheck('#teacher-parts input[data-hide="bench"]');
    await page.uncheck('#teacher-groups input[data-hide="optimizer_d"]');
    await page.check("#teacher-autostart");
    await page.evaluate(() => scrollTo(0, 0));
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `the page with the teacher panel is ${wide} px wide at ${width} px`);
    await page.screenshot({ path: join(RESULTS, `teacher-${width}x${height}.png`) });
    await page.$eval("#teacher-qr", (el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: join(RESULTS, `teacher-qr-${width}x${height}.png`) });
    await page.goto(`${base}#embed=1&backend=cpu&autostart=1&hide=optimizer_d,schedule,tricks,batches`);
    await page.reload();
    await waitFor(page, (s) => (s.running && s.step >= 20) || s.error, "the embedded run", 3 * 60_000);
    const embedWide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(embedWide <= width, `embed mode is ${embedWide} px wide at ${width} px`);
    await page.screenshot({ path: join(RESULTS, `embed-${width}x${height}.png`) });
    await context.close();
  }
});
