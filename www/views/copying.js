// Is G copying: the grid's diagonal over its nearest training digits and how often G's digits
// lie as close to a training digit as real ones do (src/judge/copying.rs). The trainer finds the
// digits, measures the distances and judges the share; this view only paints and words them.
import { t } from "../i18n.js";
import { columns, paint } from "./samples.js";

export class CopyingView {
  /** `figure` holds the view, `canvas` the picture, `features` and `pixels` a distance per
   * column in each space, `summary` the share and what it says. */
  constructor(figure, canvas, features, pixels, summary) {
    this.figure = figure;
    this.canvas = canvas;
    this.features = features;
    this.pixels = pixels;
    this.summary = summary;
    /** @type {import("../pkg/webgan.js").Neighbours | null} */
    this.last = null;
    /** @type {import("../pkg/webgan.js").Metrics["closeness"] | null} */
    this.closeness = null;
    /** Whether the run draws digits and the metrics are shown. */
    this.digits = true;
    /** Why there is nothing to compare with (the training digits' features could not be loaded),
     * as a key and its values, worded in the reader's language; null when there is. */
    this.missing = null;
  }

  /** Says, in place of the view, why G's digits cannot be compared with the training digits. */
  unavailable(key, values) {
    this.missing = { key, values };
    this.refresh();
  }

  /** Paints a measurement's view; one without it (another run replaced the one measured, or
   * the training digits' features are still being computed) keeps what is shown. */
  show(metrics) {
    if (metrics.closeness) this.closeness = metrics.closeness;
    const view = metrics.neighbours;
    if (view) {
      this.last = view;
      paint(this.canvas, view.rgba, view.width, view.height);
    }
    this.refresh();
  }

  /** Forgets the view (a new run): hidden until its first measurement with one. */
  clear() {
    this.last = null;
    this.closeness = null;
    this.refresh();
  }

  /** Shown only for digit runs whose metrics are shown. */
  setDigits(on) {
    this.digits = on;
    this.refresh();
  }

  /** Relabels in the current language. */
  refresh() {
    this.figure.hidden = !this.digits || (!this.last && !this.missing);
    this.canvas.hidden = !this.last;
    const percent = (share) => `${Math.round(share * 100)} %`;
    const c = this.closeness;
    this.summary.textContent = this.missing
      ? t("copying_unavailable", { why: t(this.missing.key, this.missing.values) })
      : c
        ? `${t("copying_share", { share: percent(c.share), reference: percent(c.reference), threshold: c.threshold.toFixed(2) })} ${t(`copying.${c.standing}`)}`
        : "";
    for (const [list, key, distances] of [[this.features, "copying_in_features", this.last?.inFeatures], [this.pixels, "copying_in_pixels", this.last?.inPixels]]) {
      columns(list, distances ? [...distances].map((d) => d.toFixed(1)) : []);
      list.setAttribute("aria-label", t(key));
    }
  }
}
