// The optimisation lab: every training setting as a control, with the explanation of the current
// choice beside it. The settings, their groups, options, limits and rules are the trainer's
// schema (src/config/schema.rs), handed over by the worker at start: this file only lays them
// out. The controls speak the link's keys, so the query they produce is exactly what the Rust
// side parses and validates.
import { t } from "../i18n.js";

/** One setting of the trainer's schema.
 * @typedef {{key: string, json: string, label: string, group: string | null, type: string,
 *   options: string[], limits: {min: number, max: number} | null, all: string | null,
 *   default: string, restarts: boolean, explained: boolean,
 *   needs: {key: string, values: string[]} | null}} Setting */

/** `element`, saying the text of `key` in the reader's language (and again in another one). */
const say = (element, key) => {
  element.dataset.i18n = key;
  element.textContent = t(key);
  return element;
};

/** The value of `setting` in `config` (the trainer's JSON), found by its JSON path (`g.lr`).
 * @param {Setting} setting */
const valueIn = (config, setting) => String(setting.json.split(".").reduce((part, name) => part[name], config));

export class Lab {
  /** The controls go into `form`; `onChange(query)` is called when the student changes one. */
  constructor(form, onChange) {
    this.form = form;
    /** @type {Setting[]} */
    this.settings = [];
    /** @type {string[]} */
    this.groups = [];
    this.config = null;
    /** The keys of the settings that matter for the run in force (the trainer says which). */
    this.relevant = new Set();
    this.hidden = new Set();
    /** The drawn points ([x, y] in the unit square) that go with the drawn data set. */
    this.points = [];
    /** The control changed last, whose answer from the trainer is awaited, with its text.
     * @type {{key: string, text: string} | null} */
    this.pending = null;
    /** Controls whose text the trainer refused: the text stays, marked, until corrected. */
    this.invalid = new Map();
    this.form.addEventListener("change", (e) => {
      const field = /** @type {HTMLElement | null} */ (e.target instanceof Element ? e.target.closest("[data-field]") : null);
      const key = field?.dataset.field;
      if (key) this.pending = { key, text: String(this.form.elements[key].value) };
      onChange(this.query());
    });
    this.form.addEventListener("submit", (e) => e.preventDefault());
  }

  /** Builds a group of controls per group of `schema` (`{groups, settings}`), in its order. */
  build(schema) {
    this.groups = schema.groups;
    this.settings = schema.settings;
    this.form.replaceChildren(...this.groups.map((id) => this.buildGroup(id, this.controls(id))));
    this.hide([...this.hidden]);
  }

  /** The names a teacher can hide (`hide=` in the link): every group and every control. */
  get hideable() {
    return [...this.groups, ...this.controls().map((s) => s.key)];
  }

  /** The settings with a control, of group `group` or of all groups.
   * @param {string | null} [group] */
  controls(group = null) {
    return this.settings.filter((s) => s.group !== null && (group === null || s.group === group));
  }

  buildGroup(id, settings) {
    const set = document.createElement("fieldset");
    set.dataset.group = id;
    set.append(say(document.createElement("legend"), `group.${id}`));
    const row = document.createElement("div");
    row.className = "fields";
    for (const setting of settings) row.append(this.buildControl(setting));
    set.append(row);
    // Confirmations of a change in this group appear here, under its control.
    const feedback = document.createElement("p");
    feedback.className = "feedback";
    feedback.setAttribute("role", "status");
    feedback.hidden = true;
    set.append(feedback);
    for (const setting of settings.filter((s) => s.explained)) {
      const p = document.createElement("p");
      p.className = "why";
      p.dataset.explain = setting.key;
      set.append(p);
    }
    return set;
  }

  /** @param {Setting} setting */
  buildControl(setting) {
    const label = document.createElement("label");
    label.dataset.field = setting.key;
    const name = say(document.createElement("span"), `field.${setting.label}`);
    let input;
    if (setting.options.length) {
      input = document.createElement("select");
      for (const value of setting.options) {
        const option = say(document.createElement("option"), `option.${setting.label}.${value}`);
        option.value = value;
        input.append(option);
      }
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.spellcheck = false;
    }
    input.name = setting.key;
    input.id = `setting-${setting.key}`;
    // Where the trainer's refusal of a typed value is said, beside the control.
    const problem = document.createElement("span");
    problem.className = "field-problem";
    problem.id = `setting-${setting.key}-problem`;
    problem.hidden = true;
    label.append(name, input, problem);
    if (setting.all && setting.limits) {
      // A box for the word that stands for the largest value (the full batch).
      const { max } = setting.limits;
      const all = document.createElement("label");
      all.className = "inline";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = `${setting.key}_${setting.all}`;
      all.append(box, say(document.createElement("span"), `field.${setting.all}_${setting.label}`));
      box.addEventListener("change", () => { input.value = box.checked ? String(max) : setting.default; });
      label.append(all);
    }
    return label;
  }

  /** Shows `config` (the trainer's JSON) in the controls; `relevant` are the keys of the
   * settings that matter for it. */
  show(config, relevant) {
    this.config = config;
    this.relevant = new Set(relevant);
    // The drawing, where the run has one (the drawn data set).
    for (const drawing of this.settings.filter((s) => s.type === "points" && this.relevant.has(s.key))) this.points = config[drawing.json];
    // Settings changed elsewhere (a preset, a file, Reset): a refused text no longer waits.
    if (!this.pending) for (const key of [...this.invalid.keys()]) this.unmark(key);
    for (const setting of this.controls()) {
      const value = valueIn(config, setting);
      if (this.invalid.has(setting.key)) continue; // the student's text stays until corrected
      this.form.elements[setting.key].value = value;
      if (setting.all && setting.limits) this.form.elements[`${setting.key}_${setting.all}`].checked = Number(value) === setting.limits.max;
    }
    this.refresh();
  }

  /** The trainer took the pending change: its control is no longer marked. Returns where to
   * confirm it (the group's feedback slot and the control), or null when none was pending. */
  settle() {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return null;
    this.unmark(pending.key);
    return this.place(pending.key);
  }

  /** The group's feedback slot and the label of control `key`. */
  place(key) {
    const anchor = /** @type {HTMLElement} */ (this.form.querySelector(`[data-field="${key}"]`));
    return { slot: /** @type {HTMLElement} */ (anchor.closest("fieldset")?.querySelector("p.feedback")), anchor };
  }

  /** The trainer refused the pending change with `message` (its words for what the setting
   * accepts): the control keeps the typed text, marked, with the message beside it. Returns
   * false when no change was pending (the refusal is then not a control's). */
  refuse(message) {
    const pending = this.pending;
    this.pending = null;
    if (!pending) return false;
    const input = this.form.elements[pending.key];
    input.value = pending.text;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `setting-${pending.key}-problem`);
    const problem = /** @type {HTMLElement} */ (this.form.querySelector(`#setting-${pending.key}-problem`));
    problem.textContent = message;
    problem.hidden = false;
    this.invalid.set(pending.key, message);
    return true;
  }

  unmark(key) {
    const input = this.form.elements[key];
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    const problem = /** @type {HTMLElement} */ (this.form.querySelector(`#setting-${key}-problem`));
    problem.textContent = "";
    problem.hidden = true;
    this.invalid.delete(key);
    if (this.config) input.value = valueIn(this.config, /** @type {Setting} */ (this.settings.find((s) => s.key === key)));
  }

  /** Hides groups and controls by name (see `hideable`): a teacher's link can keep a lesson on
   * the few settings it is about. Hidden settings keep their values and still apply. */
  hide(names) {
    this.hidden = new Set(names);
    for (const set of this.form.querySelectorAll("fieldset")) set.hidden = this.hidden.has(set.dataset.group);
    this.refresh();
  }

  /** Re-applies translations and which controls and explanations are shown. */
  refresh() {
    const c = this.config;
    if (!c) return;
    const shown = (setting) => this.relevant.has(setting.key) && !this.hidden.has(setting.key);
    for (const setting of this.controls()) {
      this.form.querySelector(`[data-field="${setting.key}"]`).hidden = !shown(setting);
    }
    for (const p of this.form.querySelectorAll("p.why")) {
      const setting = /** @type {Setting} */ (this.settings.find((s) => s.key === p.dataset.explain)); // built from one
      const value = valueIn(c, setting);
      p.hidden = !shown(setting);
      p.textContent = setting.options.length ? t(`explain.${setting.label}.${value}`) : t(`explain.${setting.label}`);
      if (setting.all && setting.limits && Number(value) === setting.limits.max) {
        p.textContent = `${t(`explain.${setting.all}_${setting.label}`)} ${p.textContent}`;
      }
    }
  }

  /** The settings in the controls as a query, every control included, and the drawing. A
   * setting whose `needs` the controls do not meet is left out, so it takes its default (a toy
   * gets the MLP, unconditioned). */
  query() {
    const params = new URLSearchParams();
    const value = (key) => {
      const control = this.form.elements[key];
      // A refused text is left out (the value in force stands in) unless it is being corrected.
      const setting = this.settings.find((s) => s.key === key);
      if (this.invalid.has(key) && this.pending?.key !== key && this.config && setting) return valueIn(this.config, setting);
      return control ? String(control.value).trim() : "";
    };
    for (const setting of this.settings) {
      if (setting.needs && !setting.needs.values.includes(value(setting.needs.key))) continue;
      const text = setting.type === "points" ? this.points.map(([x, y]) => `${x},${y}`).join(";") : value(setting.key);
      if (text !== "") params.set(setting.key, text);
    }
    return params.toString();
  }
}
