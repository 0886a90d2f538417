// Every user-visible string comes from i18n/<lang>.json; text is only ever set as text, never as HTML.

const LANGUAGES = ["en", "zh-CN"];
let strings = {};
let current = "en";

/** Picks `requested` if supported, else the browser's language, else English. */
export async function loadLanguage(requested) {
  const wanted = requested || (navigator.language || "en");
  current = LANGUAGES.find((l) => l.toLowerCase() === wanted.toLowerCase())
    || (wanted.toLowerCase().startsWith("zh") ? "zh-CN" : "en");
  const response = await fetch(new URL(`i18n/${current}.json`, import.meta.url));
  strings = await response.json();
  document.documentElement.lang = current;
  document.title = t("page_title");
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.getAttribute("data-i18n"));
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.getAttribute("data-i18n-label")));
  return current;
}

/** The string for `key`, with `{name}` placeholders filled from `values`. Only their own
 * entries count: `constructor` is a name like any other, not what every object inherits. A value
 * may be a message of the trainer's (`{key, args}`), worded in turn, or a list of them, one a line. */
export function t(key, values = {}) {
  const text = Object.hasOwn(strings, key) ? strings[key] : key;
  const fill = (name) => (Object.hasOwn(values, name) && values[name] != null ? word(values[name]) : "");
  return text.replace(/\{(\w+)\}/g, (_, name) => fill(name));
}

/** A value of a message in words: text and numbers as they are, messages worded, lists one a line. */
function word(value) {
  if (Array.isArray(value)) return value.map(word).join("\n");
  return typeof value === "object" ? describe(value) : String(value);
}

/** A message in the reader's language: the trainer's `{key, args}`, the page's `{key, values}`,
 * or text that is already words. Errors and notices are kept as messages and worded with this
 * when shown, so that they follow a change of language. */
export function describe(message) {
  if (typeof message !== "object" || message === null) return String(message ?? "");
  return t(message.key, message.args ?? message.values ?? {});
}

export const otherLanguage = () => (current === "en" ? "zh-CN" : "en");
