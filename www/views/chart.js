// Live training curves, drawn by uPlot in one panel per kind of value: the losses (and a WGAN
// critic's Wasserstein estimate), D's verdicts, the gradient norms, the learning rates, the FID,
// and precision with recall.
// The curves are the trainer's own history (src/train/history.rs, which thins long runs), sent whole by
// the worker; runs kept for comparison are drawn beside them in thin dashed lines. The panels
// share one step axis: the crosshair reads every series at a step, a drag zooms to a step range,
// and a double click or "Whole run" goes back. A panel appears once one of its series has a value.

import uPlot from "../vendor/uPlot.esm.js";
import { t } from "../i18n.js";

/** Top to bottom, the panels and the columns each shows, in their colours (a column's label is
 * the i18n key `chart.<column>`); `log` panels have a log scale, `range` fixes one, and `sparse`
 * marks series measured now and then: each value is a dot, and too few to smooth. */
const PANELS = [
  { series: { loss_d: "#d2462d", loss_g: "#2d6fd2", wasserstein: "#e08a00" } },
  { series: { d_real: "#2a9d5b", d_fake: "#a35bd6" }, range: [0, 1] },
  { series: { grad_norm_d: "#d2462d", grad_norm_g: "#2d6fd2", input_grad_norm: "#e08a00" }, log: true },
  { series: { lr_d: "#d2462d", lr_g: "#2d6fd2" }, log: true },
  { series: { fid: "#1d2430" }, sparse: true },
  { series: { precision: "#2a9d5b", recall: "#a35bd6" }, sparse: true, range: [0, 1] },
];
/** Runs kept for comparison at most, and the dash each one's thin lines are drawn with. */
export const KEPT_DASHES = [[2, 3], [7, 4], [1, 5], [10, 3, 2, 3]];
/** Height of a panel's plot, its step axis included, in CSS pixels. */
const PLOT_HEIGHT = 130;
const FONT = "12px system-ui, sans-serif";
const MUTED = "#5b6575";
const GRID = { stroke: "#e4e7ec", width: 1 };

/** A run's curves as the worker sends them: `rows` of `columns.length` values per kept step
 * (src/train/stats.rs's ROW) and `measured`, rows of `measuredColumns` values per measurement
 * (src/train/history.rs's MEASURED: step, FID, precision, recall).
 * @typedef {{columns: string[], rows: Float32Array, measuredColumns: string[], measured: Float32Array}} Curves */
/** One series of one run: its steps and values, finite (and positive on a log scale) or null.
 * @typedef {{steps: number[], values: (number | null)[]}} Curve */

export class Chart {
  /** Panels go into `root`; `smoothing` is the range input of the EMA weight, shown in
   * `smoothingValue`, and `zoomOut` the button that shows the whole run again. */
  constructor(root, { smoothing, smoothingValue, zoomOut }) {
    this.root = root;
    this.smoothing = smoothing;
    this.smoothingValue = smoothingValue;
    this.zoomOut = zoomOut;
    this.columns = ["step"];
    this.measuredColumns = ["step"];
    this.wasserstein = false;
    /** Runs kept for comparison: what `keep` was given, their curves and last step. @type {any[]} */
    this.kept = [];
    /** The step range zoomed to, or null for the whole run. @type {{min: number, max: number} | null} */
    this.zoom = null;
    /** Set while draw() moves the plots' ranges itself, which is no zoom of the visitor's. */
    this.drawing = false;
    /** What the last draw showed (see draw): the page asks for a draw after every message. */
    this.painted = /** @type {unknown[]} */ ([]);
    this.waiting = document.createElement("p");
    this.waiting.className = "chart-waiting";
    /** Per panel: its element, and its plot with the options it was built with. */
    this.panels = PANELS.map((spec) => {
      const element = document.createElement("div");
      element.className = "chart-panel";
      element.hidden = true;
      return { spec, element, plot: /** @type {uPlot | null} */ (null), shape: "", lines: /** @type {any[]} */ ([]) };
    });
    root.replaceChildren(this.waiting, ...this.panels.map((p) => p.element));
    smoothing.addEventListener("input", () => this.draw());
    zoomOut.addEventListener("click", () => this.setZoom(null));
    new ResizeObserver(() => {
      for (const { plot } of this.panels) plot?.setSize({ width: this.width(), height: PLOT_HEIGHT });
    }).observe(root);
    this.clear();
  }

  /** Names of the values in each row and in each measurement, as the trainer reports them. */
  setColumns(columns, measuredColumns) {
    this.columns = columns;
    this.measuredColumns = measuredColumns;
  }

  /** Whether the Wasserstein estimate is worth plotting (the loss is a WGAN). */
  showWasserstein(on) {
    this.wasserstein = on;
  }

  /** The run on screen is now `curves` (`{rows, measured}`; see Curves). */
  show({ rows, measured }) {
    this.run = { columns: this.columns, rows, measuredColumns: this.measuredColumns, measured };
  }

  /** Forgets the run on screen (another replaces it), and the zoom. */
  clear() {
    /** @type {Curves} */
    this.run = { columns: this.columns, rows: new Float32Array(), measuredColumns: this.measuredColumns, measured: new Float32Array() };
    this.setZoom(null);
  }

  /** The steps of the points kept for the run on screen, oldest first. */
  steps() {
    return stepsOf(this.run);
  }

  /** Keeps the curves of the run on screen, with `about` (its name, settings, ...), to draw beside
   * later runs: at most KEPT_DASHES.length, the oldest dropped first. */
  keep(about) {
    const run = { ...this.run, rows: this.run.rows.slice(), measured: this.run.measured.slice() };
    this.kept.push({ ...about, ...run, lastStep: stepsOf(run).at(-1) ?? 0 });
    this.kept = this.kept.slice(-KEPT_DASHES.length);
    this.draw();
  }

  /** Forgets the kept runs. */
  clearKept() {
    this.kept = [];
    this.draw();
  }

  /** Every run's curves in long form, one line per value: `run,series,step,value`, the run on
   * screen first (named `current`), then each kept run under its `name`. */
  csv(current) {
    const lines = ["run,series,step,value"];
    const quote = (text) => `"${String(text).replaceAll('"', '""')}"`;
    for (const run of [{ name: current, ...this.run }, ...this.kept]) {
      for (const [columns, rows] of [[run.columns, run.rows], [run.measuredColumns, run.measured]]) {
        const width = columns.length, stepAt = columns.indexOf("step");
        for (let i = 0; i + width <= rows.length; i += width) {
          columns.forEach((key, c) => { if (c !== stepAt) lines.push(`${quote(run.name)},${key},${rows[i + stepAt]},${rows[i + c]}`); });
        }
      }
    }
    return `${lines.join("\n")}\n`;
  }

  /** Shows `zoom` (a step range, or null for the whole run) in every panel. */
  setZoom(zoom) {
    this.zoom = zoom;
    this.zoomOut.hidden = !zoom;
    this.painted = []; // a drag may have zoomed since the last draw
    this.draw();
  }

  /** Paints the curves: the panels with something to show, each with its series. */
  draw() {
    const alpha = Number(this.smoothing.value);
    const lang = document.documentElement.lang;
    const state = [this.run.rows, this.run.measured, this.kept, this.wasserstein, this.zoom, alpha, lang];
    if (state.every((v, i) => v === this.painted[i])) return;
    this.painted = state;
    this.smoothingValue.textContent = alpha.toFixed(2);
    const runs = [this.run, ...this.kept];
    // One step axis for every panel, so that they line up: the steps of all runs, measurements' included.
    const steps = new Set(runs.flatMap((run) => [...stepsOf(run), ...(curveOf(run, "fid")?.steps ?? [])]));
    const allSteps = [...steps].sort((a, b) => a - b);
    this.drawing = true;
    let shown = 0;
    for (const panel of this.panels) {
      const lines = this.linesOf(panel.spec, runs, panel.spec.sparse ? 0 : alpha);
      panel.lines = lines;
      panel.element.hidden = !lines.length;
      if (!lines.length) {
        panel.plot?.destroy();
        panel.plot = null;
        continue;
      }
      shown += 1;
      const data = uPlot.join([[allSteps], ...lines.map((l) => [l.curve.steps, l.drawn])]);
      // What the plot's options depend on; anything else is data.
      const shape = JSON.stringify([lang, lines.map((l) => [l.key, l.kept, l.smoothed, l.label])]);
      if (shape !== panel.shape || !panel.plot) {
        panel.plot?.destroy();
        panel.plot = new uPlot(this.options(panel, lines), data, panel.element);
        panel.shape = shape;
      } else {
        panel.plot.setData(data, !this.zoom);
      }
      if (this.zoom) panel.plot.setScale("x", this.zoom);
    }
    this.drawing = false;
    this.waiting.hidden = shown > 0;
    this.waiting.textContent = t("chart_waiting");
  }

  /** The lines of a panel: for the run on screen each series with a value, faint under its EMA
   * while smoothing; for each kept run one thin dashed line (smoothed as the others). */
  linesOf(spec, runs, alpha) {
    const lines = [];
    runs.forEach((run, kept) => {
      for (const [key, color] of Object.entries(spec.series)) {
        if (key === "wasserstein" && !this.wasserstein) continue;
        const curve = curveOf(run, key, spec.log);
        if (!curve || !curve.values.some((v) => v !== null)) continue;
        const smooth = alpha > 0 ? ema(curve.values, alpha, spec.log) : null;
        const label = kept ? t("chart.kept_series", { series: t(`chart.${key}`), run: kept }) : t(`chart.${key}`);
        const line = { key, color, curve, kept, label, smoothed: false };
        if (kept) lines.push({ ...line, drawn: smooth ?? curve.values, smoothed: Boolean(smooth) });
        else {
          lines.push({ ...line, drawn: curve.values, faint: Boolean(smooth) });
          if (smooth) lines.push({ ...line, drawn: smooth, smoothed: true });
        }
      }
    });
    return lines;
  }

  /** uPlot's options for a panel showing `lines`. Legend values are the raw values at the
   * crosshair's step (nearest kept point for other runs), or the latest while nothing is hovered.
   * @returns {uPlot.Options} */
  options(panel, lines) {
    const spec = panel.spec;
    return {
      width: this.width(),
      height: PLOT_HEIGHT,
      cursor: { sync: { key: "webgan-chart" }, drag: { x: true, y: false }, points: { size: 6 } },
      scales: {
        x: { time: false },
        y: spec.log ? { distr: 3, log: 10 } : spec.range ? { range: spec.range } : spec.sparse ? { range: () => wholeRange(panel.lines) } : {},
      },
      axes: [
        { font: FONT, stroke: MUTED, grid: GRID, ticks: GRID, size: 26 },
        { font: FONT, stroke: MUTED, grid: GRID, ticks: GRID, size: 58, ...(spec.log && { values: (_u, splits) => splits.map(logTick) }) },
      ],
      series: [
        { label: t("chart.step"), value: (u, v, _s, idx) => String(idx == null ? (u.data[0].at(-1) ?? "") : v) },
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: l.kept || l.faint ? 1 : 1.6,
          alpha: l.faint ? 0.25 : l.kept ? 0.75 : 1,
          spanGaps: true,
          // The panel's lines of the latest draw: the plot outlives the data it was built with.
          value: (u, _v, sidx, idx) => format(valueAt(panel.lines[sidx - 1].curve, idx == null ? Infinity : u.data[0][idx])),
          // The smoothed line of the run on screen has its raw line's legend entry.
          ...(l.smoothed && !l.kept && { class: "chart-smoothed" }),
          ...(l.kept && { dash: KEPT_DASHES[l.kept - 1] }),
          ...(spec.sparse && { points: { show: true, size: l.kept ? 4 : 6 } }),
        })),
      ],
      hooks: { setScale: [(u, key) => { if (key === "x") this.noteZoom(u); }] },
    };
  }

  /** After a drag, a double click or new data moved a plot's step range: a range short of the
   * whole run is the zoom, which the other panels follow (uPlot syncs the gestures). */
  noteZoom(u) {
    if (this.drawing) return;
    const { min, max } = u.scales.x;
    const steps = u.data[0];
    const whole = min == null || max == null || !steps.length || (min <= steps[0] && max >= steps[steps.length - 1]);
    this.zoom = whole ? null : { min, max };
    this.zoomOut.hidden = !this.zoom;
  }

  /** The width of a panel's plot: the chart's. */
  width() {
    return this.root.clientWidth;
  }
}

/** The y range of all of `lines`' values, not only those in the step range on screen: a series
 * measured now and then may have one value there, or none, between lines that leave it.
 * @returns {uPlot.Range.MinMax} */
function wholeRange(lines) {
  const values = lines.flatMap((l) => l.drawn.filter((v) => v !== null));
  return uPlot.rangeNum(Math.min(...values), Math.max(...values), 0.1, true);
}

/** The steps of a run's rows. @param {Curves} run */
function stepsOf(run) {
  const width = run.columns.length, at = run.columns.indexOf("step");
  return Array.from({ length: Math.floor(run.rows.length / width) }, (_, i) => run.rows[i * width + at]);
}

/** Column `key` of `run`, from its rows or its measurements, or null when it has no such column.
 * @param {Curves} run @param {string} key @param {boolean} [log] @returns {Curve | null} */
function curveOf(run, key, log) {
  const measured = key !== "step" && run.measuredColumns.includes(key);
  const [columns, rows] = measured ? [run.measuredColumns, run.measured] : [run.columns, run.rows];
  const at = columns.indexOf(key);
  if (at < 0) return null;
  const width = columns.length, stepAt = columns.indexOf("step");
  const steps = [], values = [];
  for (let i = 0; i + width <= rows.length; i += width) {
    const v = rows[i + at];
    steps.push(rows[i + stepAt]);
    values.push(Number.isFinite(v) && (!log || v > 0) ? v : null);
  }
  return { steps, values };
}

/** The exponential moving average of `values` with weight `alpha` on the past, corrected for its
 * start at zero (as TensorBoard's smoothing); on a log scale, of the logarithms. Nulls stay null. */
function ema(values, alpha, log) {
  let mean = 0, weight = 0;
  return values.map((v) => {
    if (v === null) return null;
    mean = alpha * mean + (1 - alpha) * (log ? Math.log(v) : v);
    weight = alpha * weight + (1 - alpha);
    return log ? Math.exp(mean / weight) : mean / weight;
  });
}

/** The value of `curve` at the point nearest `step`. @param {Curve} curve */
function valueAt(curve, step) {
  let best = /** @type {number | null} */ (null), distance = Infinity;
  curve.steps.forEach((s, i) => {
    if (curve.values[i] !== null && Math.abs(s - step) <= distance) [best, distance] = [curve.values[i], Math.abs(s - step)];
  });
  return best;
}

/** A tick of a log axis, whose values span powers of ten: 0.1, 1, 10, 100, else 1e-2, 2e-4
 * (null: a split uPlot leaves unlabelled). @param {number | null} v */
function logTick(v) {
  if (v == null) return null;
  const a = Math.abs(v);
  return a !== 0 && (a < 0.1 || a >= 1e4) ? Number(v.toPrecision(6)).toExponential() : String(Number(v.toPrecision(6)));
}

/** A legend value: 4 significant digits, exponent form for tiny or huge values. */
function format(v) {
  if (v === null) return "–";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : String(Number(v.toPrecision(4)));
}
