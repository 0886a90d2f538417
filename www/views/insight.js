// What D sees: the trainer's heat maps of ∇ₓD over a few of the grid's digits and a real one
// (src/judge/saliency.rs), painted with each measurement of the digits. The trainer chooses the
// digits, computes the gradients and colours them; this view only paints and labels them.
import { t } from "../i18n.js";
import { columns, paint } from "./samples.js";

export class InsightView {
  /** `figure` holds the view, `canvas` the maps side by side, `verdicts` a label per digit. */
  constructor(figure, canvas, verdicts) {
    this.figure = figure;
    this.canvas = canvas;
    this.verdicts = verdicts;
    /** @type {import("../pkg/webgan.js").Saliency | null} */
    this.last = null;
    /** Whether the run draws digits (a toy's plane shows D's view already). */
    this.digits = true;
  }

  /** Paints the trainer's view; `null` (another run replaced the one measured) keeps the last. */
  show(saliency) {
    if (!saliency) return;
    this.last = saliency;
    paint(this.canvas, saliency.rgba, saliency.width, saliency.height);
    this.refresh();
  }

  /** Forgets the view (a new run): hidden until its first measurement. */
  clear() {
    this.last = null;
    this.refresh();
  }

  /** Shown only for digit runs that have a view. */
  setDigits(on) {
    this.digits = on;
    this.refresh();
  }

  /** Relabels in the current language. */
  refresh() {
    this.figure.hidden = !this.digits || !this.last;
    const verdicts = this.last ? [...this.last.verdicts] : [];
    columns(this.verdicts, verdicts.map((v, i) => {
      const whose = document.createElement("span");
      whose.textContent = t(i < verdicts.length - 1 ? "insight_generated" : "insight_real");
      return [whose, t("insight_verdict", { verdict: v.toFixed(2) })];
    }));
  }
}
