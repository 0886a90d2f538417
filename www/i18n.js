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
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.getAttribute("data-i18n"));
  for (const el of document.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.getAttribute("data-i18n-label")));
  return current;
}

/** The string for `key`, with `{name}` placeholders filled from `values`. Only their own
 * entries count: `constructor` is a name like any other, not what every object inherits. */
export function t(key, values = {}) {
  const text = Object.hasOwn(strings, key) ? strings[key] : key;
  const fill = (name) => (Object.hasOwn(values, name) && values[name] != null ? String(values[name]) : "");
  return text.replace(/\{(\w+)\}/g, (_, name) => fill(name));
}

export const otherLanguage = () => (current === "en" ? "zh-CN" : "en");
