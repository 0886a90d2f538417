// Live training curves on a canvas, in five panels: the losses (and the Wasserstein estimate of a
// WGAN critic), the discriminator's verdicts, the gradient norms, the learning rates and the FID
// of the generated digits (measured every few seconds rather than every step).

import { t } from "../i18n.js";

/** A curve: `key` is its column (or sparse series), `onlyWhen` the chart's flag that shows it,
 * `sparse` a series measured now and then, `dots` marks each value, `dash` a line dash.
 * @typedef {{key: string, label: string, color: string, onlyWhen?: "wasserstein", sparse?: boolean,
 *   dots?: boolean, dash?: number[]}} Series */

/** Series labels starting with "chart." are i18n keys; the rest is notation, the same in every language.
 * @type {{series: Series[], fixed?: [number, number], log?: boolean}[]} */
const PANELS = [
  {
    series: [
      { key: "loss_d", label: "chart.loss_d", color: "#d2462d" },
      { key: "loss_g", label: "chart.loss_g", color: "#2d6fd2" },
      { key: "wasserstein", label: "chart.wasserstein", color: "#e08a00", onlyWhen: "wasserstein" },
    ],
  },
  {
    fixed: [0, 1],
    series: [
      { key: "d_real", label: "D(x)", color: "#2a9d5b" },
      { key: "d_fake", label: "D(G(z))", color: "#a35bd6" },
    ],
  },
  {
    log: true,
    series: [
      { key: "grad_norm_d", label: "‖∇L_D‖", color: "#d2462d" },
      { key: "grad_norm_g", label: "‖∇L_G‖", color: "#2d6fd2" },
      { key: "input_grad_norm", label: "‖∇ₓD‖", color: "#e08a00" },
    ],
  },
  {
    log: true,
    series: [
      { key: "lr_d", label: "chart.lr_d", color: "#d2462d" },
      { key: "lr_g", label: "chart.lr_g", color: "#2d6fd2", dash: [4, 3] },
    ],
  },
  {
    log: true,
    series: [{ key: "fid", label: "FID", color: "#1d2430", sparse: true, dots: true }],
  },
];
/** At most this many points are kept; older ones are thinned, not dropped. */
const MAX_POINTS = 2000;
/** Runs kept for comparison at most, and the dash each one's thin lines are drawn with. */
export const KEPT_DASHES = [[2, 3], [7, 4], [1, 5], [10, 3, 2, 3]];

export class Chart {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.columns = ["step"];
    this.wasserstein = false;
    /** Runs kept for comparison: `{name, config, columns, points, sparse}`. */
    this.kept = [];
    this.clear();
  }

  /** Names of the values in each row, as the trainer reports them. */
  setColumns(columns) {
    this.columns = columns;
  }

  /** Whether the Wasserstein estimate is worth plotting (the loss is a WGAN). */
  showWasserstein(on) {
    this.wasserstein = on;
  }

  /** Keeps the curves of the run on screen, named `name`, to draw beside later runs: at most
   * KEPT_DASHES.length, the oldest dropped first. */
  keep(name, config) {
    this.kept.push({ name, config, columns: this.columns, points: [...this.points], sparse: { fid: [...this.sparse.fid] } });
    this.kept = this.kept.slice(-KEPT_DASHES.length);
    this.draw();
  }

  /** Forgets the kept runs. */
  clearKept() {
    this.kept = [];
    this.draw();
  }

  /** Every run's curves in long form, one line per value: `run,series,step,value`, the run on
   * screen first (named `current`). */
  csv(current) {
    const lines = ["run,series,step,value"];
    const quote = (text) => `"${String(text).replaceAll('"', '""')}"`;
    for (const run of [{ name: current, columns: this.columns, points: this.points, sparse: this.sparse }, ...this.kept]) {
      const stepAt = run.columns.indexOf("step");
      for (const pt of run.points) {
        run.columns.forEach((key, i) => { if (i !== stepAt) lines.push(`${quote(run.name)},${key},${pt[stepAt]},${pt[i]}`); });
      }
      for (const [step, value] of run.sparse.fid) lines.push(`${quote(run.name)},fid,${step},${value}`);
    }
    return `${lines.join("\n")}\n`;
  }

  clear() {
    /** The run on screen: a row of `columns.length` values per kept step. @type {number[][]} */
    this.points = [];
    /** Series measured now and then rather than every step: key → [[step, value], ...].
     * @type {Record<string, [number, number][]>} */
    this.sparse = { fid: [] };
    /** Every `stride`-th step is kept; `pending` counts the steps since the last one kept. @type {number} */
    this.stride = 1;
    /** @type {number} */
    this.pending = 0;
    this.draw();
  }

  /** The steps of the points kept for the run on screen, oldest first. */
  steps() {
    const at = this.columns.indexOf("step");
    return this.points.map((pt) => pt[at]);
  }

  /** Adds rows (a flat Float32Array of `columns.length` values per step). */
  add(rows) {
    const width = this.columns.length;
    for (let i = 0; i + width <= rows.length; i += width) {
      if (++this.pending < this.stride) continue;
      this.pending = 0;
      this.points.push(Array.from(rows.subarray(i, i + width)));
    }
    if (this.points.length > MAX_POINTS) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  /** Adds a value of a sparse series (e.g. `fid`) measured at `step`. */
  addSparse(key, step, value) {
    this.sparse[key].push([step, value]);
  }

  draw() {
    const { ctx, canvas } = this;
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.font = "12px system-ui, sans-serif";
    const left = 52, right = w - 8, bottom = h - 18;
    const runs = [{ columns: this.columns, points: this.points, sparse: this.sparse }, ...this.kept];
    if (!runs.some((r) => r.points.length)) {
      // No curve yet: axes would show ticks of nothing, so say what will appear instead.
      ctx.fillStyle = "#5b6575";
      ctx.textAlign = "center";
      ctx.fillText(t("chart_waiting"), w / 2, h / 2);
      ctx.textAlign = "start";
      return;
    }
    const ends = runs.filter((r) => r.points.length).map((r) => {
      const at = r.columns.indexOf("step");
      return [r.points[0][at], r.points[r.points.length - 1][at]];
    });
    const first = ends.length ? Math.min(...ends.map((e) => e[0])) : 0;
    const last = ends.length ? Math.max(...ends.map((e) => e[1])) : 1;
    const x = (step) => left + ((right - left) * (step - first)) / Math.max(1, last - first);
    const panelHeight = bottom / PANELS.length;
    PANELS.forEach((panel, p) => {
      const top = p * panelHeight + 6, height = panelHeight - 14;
      // The run on screen in full lines, each kept run in thin lines with its own dash.
      const seriesOf = (run, k) => panel.series
        .filter((s) => !s.onlyWhen || this[s.onlyWhen])
        .map((s) => ({ ...s, column: run.columns.indexOf(s.key) }))
        .filter((s) => s.sparse || s.column >= 0)
        .map((s) => ({ ...s, kept: k, points: pointsOf(run, s) }));
      const series = seriesOf(runs[0], -1);
      const all = runs.flatMap((run, k) => seriesOf(run, k - 1));
      const value = (v) => (panel.log ? Math.log10(v) : v);
      let [lo, hi] = panel.fixed || [Infinity, -Infinity];
      if (!panel.fixed) {
        for (const s of all) {
          for (const [, raw] of s.points) {
            const v = value(raw);
            if (Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
          }
        }
        if (!Number.isFinite(lo)) [lo, hi] = panel.log ? [-4, 0] : [0, 1];
        if (hi - lo < 1e-6) { lo -= 0.5; hi += 0.5; }
        const pad = (hi - lo) * 0.05;
        lo -= pad;
        hi += pad;
      }
      const y = (v) => top + height * (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo));
      ctx.strokeStyle = "#e4e7ec";
      ctx.fillStyle = "#5b6575";
      ctx.lineWidth = 1;
      ctx.setLineDash([]);
      for (let k = 0; k <= 2; k++) {
        const v = lo + ((hi - lo) * k) / 2;
        ctx.beginPath();
        ctx.moveTo(left, y(v));
        ctx.lineTo(right, y(v));
        ctx.stroke();
        ctx.fillText(panel.log ? format(10 ** v) : format(v), 2, y(v) + 4);
      }
      for (const s of all.filter((s) => s.kept >= 0)) {
        ctx.globalAlpha = 0.6;
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 1;
        ctx.setLineDash(KEPT_DASHES[s.kept]);
        ctx.beginPath();
        let pen = false;
        for (const [step, raw] of s.points) {
          const v = value(raw);
          if (!Number.isFinite(v)) { pen = false; continue; }
          ctx[pen ? "lineTo" : "moveTo"](x(step), y(v));
          pen = true;
        }
        ctx.stroke();
        ctx.globalAlpha = 1;
      }
      let labelX = left + 8;
      for (const s of series) {
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 1.5;
        ctx.setLineDash(s.dash || []);
        ctx.beginPath();
        let pen = false;
        for (const [step, raw] of s.points) {
          const v = value(raw);
          if (!Number.isFinite(v) || step < first) { pen = false; continue; }
          ctx[pen ? "lineTo" : "moveTo"](x(step), y(v));
          pen = true;
        }
        ctx.stroke();
        ctx.fillStyle = s.color;
        if (s.dots) {
          for (const [step, raw] of s.points) {
            if (Number.isFinite(value(raw)) && step >= first) ctx.fillRect(x(step) - 2, y(value(raw)) - 2, 4, 4);
          }
        }
        const label = s.label.startsWith("chart.") ? t(s.label) : s.label;
        ctx.fillText(label, labelX, top + 12);
        labelX += ctx.measureText(label).width + 14;
      }
      ctx.setLineDash([]);
    });
    ctx.fillStyle = "#5b6575";
    ctx.fillText(t("timeline_step", { step: Math.round(first) }), left, h - 4);
    const end = t("timeline_step", { step: Math.round(last) });
    ctx.fillText(end, right - ctx.measureText(end).width, h - 4);
  }
}

/** The `[step, value]` points of `series` in `run`. */
function pointsOf(run, series) {
  if (series.sparse) return run.sparse[series.key];
  const stepAt = run.columns.indexOf("step");
  return run.points.map((pt) => [pt[stepAt], pt[series.column]]);
}

/** A short axis label: 3 significant digits, exponent form for tiny or huge values. */
function format(v) {
  const a = Math.abs(v);
  return a !== 0 && (a < 0.01 || a >= 1e4) ? v.toExponential(1) : Number(v.toPrecision(3)).toString();
}
