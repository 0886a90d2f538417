// Every message the page shows comes in the reader's language, those from the trainer included:
// each i18n key (and each key of a message the trainer may give, which it lists itself) has words
// in both languages, every placeholder is filled, no Chinese string is left in English, and a
// notice and an error on screen follow a change of language.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { usePage, browser, RESULTS, status, waitFor, openPage } from "./page/harness.mjs";

usePage();

const words = (lang) => JSON.parse(readFileSync(new URL(`../www/i18n/${lang}.json`, import.meta.url), "utf8"));
const [en, zh] = [words("en"), words("zh-CN")];

/** Strings that read the same in both languages: names and symbols nobody translates, alone or
 * beside placeholders (`D {verdict}`); a string of placeholders only (`{detail}`) is words worded
 * by their own keys. */
const SAME_IN_BOTH = new Set([
  "webgan", "G", "D", "β₁", "β₂", "ε", "k", "γ", "SGD", "SGD + Nesterov", "Adam", "RMSprop", "WGAN-GP",
  "D(x)", "D(G(z))", "‖∇L_D‖", "‖∇L_G‖", "‖∇ₓD‖", "FID", "WebGPU", "MLP", "DCGAN",
]);
const untranslated = (text) => ["", ...SAME_IN_BOTH].includes(text.replace(/\{\w+\}/g, "").trim());
const placeholders = (text) => [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
/** A key left unworded: what `t` gives for a key neither file has. */
const UNWORDED = /\b(error|allowed|notice|json|network)\.[a-z_.]+/;

/** The trainer's own list of its messages' keys, from the page's build of it. */
const messageKeys = (page) =>
  page.evaluate(async () => {
    const file = (path) => fetch(new URL(path, location.href)).then((r) => r.arrayBuffer());
    const trainer = await import(new URL("www/pkg/webgan.js", location.href).href);
    const brotli = await import(new URL("www/vendor/brotli_dec_wasm.js", location.href).href);
    await brotli.default({ module_or_path: await file("www/vendor/brotli_dec_wasm_bg.wasm") });
    await trainer.default({ module_or_path: brotli.brotli_dec(new Uint8Array(await file("www/pkg/webgan_bg.wasm.br"))) });
    return trainer.message_keys();
  });

test("every key, the trainer's included, has its own words in both languages with every placeholder filled", { timeout: 5 * 60_000 }, async () => {
  const page = await openPage("backend=cpu");
  const keys = await messageKeys(page);
  assert.ok(keys.length > 80, `${keys.length} keys of the trainer's`);
  for (const key of keys) {
    assert.ok(Object.hasOwn(en, key), `en.json lacks the trainer's ${key}`);
    assert.ok(Object.hasOwn(zh, key), `zh-CN.json lacks the trainer's ${key}`);
  }
  assert.deepEqual(Object.keys(zh).filter((k) => !Object.hasOwn(en, k)), [], "keys only zh-CN.json has");
  assert.deepEqual(Object.keys(en).filter((k) => !Object.hasOwn(zh, k)), [], "keys only en.json has");
  for (const key of Object.keys(en)) {
    assert.deepEqual(placeholders(zh[key]), placeholders(en[key]), `${key}: the same placeholders in both`);
    if (zh[key] === en[key]) assert.ok(untranslated(en[key]), `${key} is English in zh-CN.json: ${en[key]}`);
  }

  // Worded by the page's own code, every key in each language, every placeholder filled.
  const rendered = await page.evaluate(async (all) => {
    const i18n = await import(new URL("www/i18n.js", location.href).href);
    const out = {};
    for (const lang of ["en", "zh-CN"]) {
      await i18n.loadLanguage(lang);
      out[lang] = all.map(([key, names]) => [key, i18n.t(key, Object.fromEntries(names.map((n) => [n, "7"])))]);
    }
    return out;
  }, Object.keys(en).map((key) => [key, placeholders(en[key])]));
  for (const lang of ["en", "zh-CN"]) {
    for (const [key, text] of rendered[lang]) assert.doesNotMatch(text, /\{\w+\}/, `${lang} ${key}: ${text}`);
  }

  // Real refusals, nested lists and causes included, worded whole in each language.
  const refusals = await page.evaluate(async () => {
    const trainer = await import(new URL("www/pkg/webgan.js", location.href).href);
    const i18n = await import(new URL("www/i18n.js", location.href).href);
    const queries = ["lr_g=abc", "seed=-1&batch=0&loss=nope&nope=1&lr=2&real_label=0.3", "data=drawn", "data=ring&model=dcgan", "batch=1&batch=2"];
    const out = {};
    for (const lang of ["en", "zh-CN"]) {
      await i18n.loadLanguage(lang);
      out[lang] = queries.map((q) => i18n.describe(trainer.check_settings(q)));
    }
    return out;
  });
  for (const lang of ["en", "zh-CN"]) {
    for (const text of refusals[lang]) {
      assert.doesNotMatch(text, UNWORDED, `${lang}: ${text}`);
      assert.doesNotMatch(text, /\{\w+\}|\[object Object\]/, `${lang}: ${text}`);
    }
  }
  assert.equal(refusals.en[0], "`lr_g` = \"abc\" is not a number");
  assert.equal(refusals["zh-CN"][0], "`lr_g` = “abc” 不是一个数");
  assert.equal(refusals["zh-CN"][1].split("\n").length, 6, `one problem a line: ${refusals["zh-CN"][1]}`);
  for (const text of refusals["zh-CN"]) assert.doesNotMatch(text, /\b(is not|allowed|number|integer)\b/, text);
  await page.close();
});

test("a refused link and the backend notice read in Chinese, then in English after switching", { timeout: 5 * 60_000 }, async () => {
  for (const [width, height] of [[1280, 900], [390, 844]]) {
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await openPage("lr=abc&lang=zh-CN", context);
    const s = await waitFor(page, (t) => t.error && t.notice, "the refusal and the notice", 60_000);
    assert.equal(s.error.split("\n").length, 1, s.error);
    assert.match(s.error, /`lr` = “abc” 不是一个数。改用“第一分钟”的设置打开，与不带设置的链接相同。/);
    assert.match(s.notice, /处理器/);
    assert.match(await page.textContent("#error"), /出错了/);
    assert.match(await page.title(), /生成对抗网络/);
    await page.screenshot({ path: join(RESULTS, `page-i18n-zh-CN-error-${width}x${height}.png`), fullPage: false });
    if (width !== 1280) {
      await context.close();
      continue;
    }

    await page.click("#lang");
    await page.waitForFunction(() => document.documentElement.lang === "en", null, { timeout: 30_000 });
    const after = await status(page);
    assert.equal(after.error, "`lr` = \"abc\" is not a number. Opening with the first-minute settings instead, as a link without settings does.");
    assert.match(after.notice, /WebGPU runs on the processor here/);
    assert.match(await page.textContent("#error"), /^Something went wrong: `lr` = "abc" is not a number/);
    assert.match(await page.textContent("#notice"), /WebGPU runs on the processor here/);
    assert.match(await page.title(), /train a GAN on your GPU/);
    await context.close();
  }
});
