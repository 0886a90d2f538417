// The optimisation lab: every training setting as a control, built from one table, with the
// explanation of the current choice beside it. The controls speak the trainer's URL-hash
// keys, so the query they produce is exactly what the Rust side parses and validates.
import { t } from "../i18n.js";

const LOSSES = ["minimax", "non_saturating", "least_squares", "hinge", "wgan_clip", "wgan_gp"];
const OPTIMIZERS = ["sgd", "momentum", "nesterov", "adam", "rms_prop"];
const SCHEDULES = ["constant", "time", "exponential", "step"];
const ANNEALS = ["linear", "exponential"];
const DATA = ["mnist", "ring", "grid", "moons", "drawn"];
const MODELS = ["mlp", "dcgan"];
const digits = (c) => c.data === "mnist";
const FULL_BATCH = 10000;

const has = (list) => (value) => list.includes(value);
const labelled = has(["minimax", "non_saturating", "least_squares"]);

/** One network's optimiser controls; `net` is "g" or "d". */
const optimizerFields = (net) => [
  { key: `opt_${net}`, label: "opt", get: (c) => c[net].kind, options: OPTIMIZERS, explain: "opt" },
  { key: `lr_${net}`, label: "lr", get: (c) => c[net].lr },
  { key: `beta1_${net}`, label: "beta1", get: (c) => c[net].beta1, when: (c) => c[net].kind === "adam" },
  { key: `beta2_${net}`, label: "beta2", get: (c) => c[net].beta2, when: (c) => c[net].kind === "adam" },
  { key: `eps_${net}`, label: "eps", get: (c) => c[net].epsilon, when: (c) => has(["adam", "rms_prop"])(c[net].kind) },
  { key: `momentum_${net}`, label: "momentum", get: (c) => c[net].momentum, when: (c) => has(["momentum", "nesterov"])(c[net].kind) },
  { key: `alpha_${net}`, label: "alpha", get: (c) => c[net].alpha, when: (c) => c[net].kind === "rms_prop" },
];

/** A control: `key` is its URL-hash key, `label` its name's i18n key when that is not `key`,
 * and `full` adds the full-batch box.
 * @typedef {{key: string, label?: string, get: (c: any) => unknown, when?: (c: any) => boolean,
 *   options?: string[], explain?: string, full?: boolean}} Field */

/** Every control, by group. `get` reads the value from the config JSON; `when` says whether the
 * control matters for the current config; `options` makes a select; `explain` names the
 * explanation family whose paragraph for the chosen option is shown.
 * @type {{id: string, fields: Field[], notes?: string[]}[]} */
const GROUPS = [
  {
    id: "objective",
    fields: [
      { key: "loss", get: (c) => c.loss, options: LOSSES, explain: "loss" },
      { key: "clip", get: (c) => c.clip, when: (c) => c.loss === "wgan_clip" },
      { key: "gp", get: (c) => c.gp_lambda, when: (c) => c.loss === "wgan_gp" },
      { key: "r1", get: (c) => c.r1_gamma },
      { key: "real_label", get: (c) => c.real_label, when: (c) => labelled(c.loss) },
    ],
    notes: ["r1", "real_label"],
  },
  { id: "optimizer_g", fields: optimizerFields("g") },
  { id: "optimizer_d", fields: optimizerFields("d") },
  {
    id: "schedule",
    fields: [
      { key: "schedule", get: (c) => c.schedule, options: SCHEDULES, explain: "schedule" },
      { key: "decay_k", get: (c) => c.decay_k, when: (c) => c.schedule === "time" },
      { key: "decay_gamma", get: (c) => c.decay_gamma, when: (c) => has(["exponential", "step"])(c.schedule) },
      { key: "decay_steps", get: (c) => c.decay_steps, when: (c) => has(["exponential", "step"])(c.schedule) },
    ],
  },
  {
    id: "batches",
    fields: [
      { key: "batch", get: (c) => c.batch_size, full: true },
      { key: "d_steps", get: (c) => c.d_steps },
    ],
    notes: ["batch", "d_steps"],
  },
  {
    id: "tricks",
    fields: [
      { key: "noise", get: (c) => c.instance_noise },
      { key: "anneal", get: (c) => c.noise_anneal, options: ANNEALS, when: (c) => c.instance_noise > 0 },
      { key: "noise_steps", get: (c) => c.noise_steps, when: (c) => c.instance_noise > 0 },
      { key: "ema", get: (c) => c.ema },
    ],
    notes: ["noise", "ema"],
  },
  {
    id: "restart",
    fields: [
      { key: "data", get: (c) => c.data, options: DATA, explain: "data" },
      { key: "model", get: (c) => c.model, options: MODELS, explain: "model", when: digits },
      { key: "conditional", get: (c) => String(c.conditional), options: ["false", "true"], explain: "conditional", when: digits },
      { key: "latent", get: (c) => c.latent_dim },
      { key: "hidden", get: (c) => c.hidden },
      { key: "seed", get: (c) => c.seed },
    ],
    notes: ["seed"],
  },
];

const FIELDS = GROUPS.flatMap((g) => g.fields);

/** The names a teacher can hide (`hide=` in the link): every group and every control. */
export const HIDEABLE = [...GROUPS.map((g) => g.id), ...FIELDS.map((f) => f.key)];

export class Lab {
  /** Builds the controls into `form`; `onChange(query)` is called when the student changes one. */
  constructor(form, onChange) {
    this.form = form;
    this.config = null;
    this.hidden = new Set();
    /** The drawn points ([x, y] in the unit square) that go with the drawn data set. */
    this.points = [];
    this.form.replaceChildren();
    for (const group of GROUPS) this.form.append(this.buildGroup(group));
    this.form.addEventListener("change", () => onChange(this.query()));
    this.form.addEventListener("submit", (e) => e.preventDefault());
  }

  buildGroup(group) {
    const set = document.createElement("fieldset");
    set.dataset.group = group.id;
    const legend = document.createElement("legend");
    legend.dataset.i18n = `group.${group.id}`;
    set.append(legend);
    const row = document.createElement("div");
    row.className = "fields";
    for (const field of group.fields) row.append(this.buildField(field));
    set.append(row);
    for (const name of [...group.fields.filter((f) => f.explain).map((f) => f.key), ...(group.notes || [])]) {
      const p = document.createElement("p");
      p.className = "why";
      p.dataset.explain = name;
      set.append(p);
    }
    return set;
  }

  buildField(field) {
    const label = document.createElement("label");
    label.dataset.field = field.key;
    const name = document.createElement("span");
    name.dataset.i18n = `field.${field.label || field.key}`;
    let input;
    if (field.options) {
      input = document.createElement("select");
      for (const value of field.options) {
        const option = document.createElement("option");
        option.value = value;
        option.dataset.i18n = `option.${field.explain || field.key}.${value}`;
        input.append(option);
      }
    } else {
      input = document.createElement("input");
      input.type = "text";
      input.inputMode = "decimal";
      input.spellcheck = false;
    }
    input.name = field.key;
    input.id = `setting-${field.key}`;
    label.append(name, input);
    if (field.full) {
      const full = document.createElement("label");
      full.className = "inline";
      const box = document.createElement("input");
      box.type = "checkbox";
      box.name = `${field.key}_full`;
      const text = document.createElement("span");
      text.dataset.i18n = "field.full_batch";
      full.append(box, text);
      box.addEventListener("change", () => { input.value = box.checked ? FULL_BATCH : 64; });
      label.append(full);
    }
    return label;
  }

  /** Shows `config` (the trainer's JSON) in the controls. */
  show(config) {
    this.config = config;
    if (config.data === "drawn") this.points = config.points;
    for (const field of FIELDS) this.form.elements[field.key].value = String(field.get(config));
    this.form.elements.batch_full.checked = config.batch_size === FULL_BATCH;
    this.refresh();
  }

  /** Hides groups and controls by name (see HIDEABLE): a teacher's link can keep a lesson on
   * the few settings it is about. Hidden settings keep their values and still apply. */
  hide(names) {
    this.hidden = new Set(names);
    for (const set of this.form.querySelectorAll("fieldset")) set.hidden = this.hidden.has(set.dataset.group);
    this.refresh();
  }

  /** Re-applies translations and which controls and explanations are relevant. */
  refresh() {
    const c = this.config;
    if (!c) return;
    const shown = (field) => (!field.when || field.when(c)) && !this.hidden.has(field.key);
    for (const field of FIELDS) {
      this.form.querySelector(`[data-field="${field.key}"]`).hidden = !shown(field);
    }
    for (const p of this.form.querySelectorAll("p.why")) {
      const name = p.dataset.explain;
      const field = FIELDS.find((f) => f.key === name);
      p.hidden = Boolean(field && !shown(field));
      p.textContent = field && field.options ? t(`explain.${field.explain}.${field.get(c)}`) : t(`explain.${name}`);
    }
    const fullNote = this.form.querySelector('[data-explain="batch"]');
    if (c.batch_size === FULL_BATCH) fullNote.textContent = `${t("explain.full_batch")} ${t("explain.batch")}`;
  }

  /** The settings in the controls as a query, every control included. */
  query() {
    const params = new URLSearchParams();
    for (const field of FIELDS) {
      const value = String(this.form.elements[field.key].value).trim();
      if (value !== "") params.set(field.key, value);
    }
    // The DCGAN and labels exist for digits only: a toy gets the MLP, unconditioned.
    if (params.get("data") !== "mnist") ["model", "conditional"].forEach((key) => params.delete(key));
    if (params.get("data") === "drawn" && this.points.length) {
      params.set("points", this.points.map(([x, y]) => `${x},${y}`).join(";"));
    }
    return params.toString();
  }
}
