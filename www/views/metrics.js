// What the digit classifier makes of the generator's digits: FID, class coverage, KL from
// uniform, confidence, a histogram of the classes, and the mode-collapse alarm.
import { t } from "../i18n.js";

/** Before this step G is still learning to draw at all: its first grey blobs all look like one
 * digit to the classifier, which is not yet mode collapse, so the alarm waits. */
const ALARM_AFTER_STEP = 300;

export class MetricsView {
  /** `histogram` is a canvas, `values` an element for the figures, `alarm` the collapse box. */
  constructor(histogram, values, alarm) {
    this.canvas = histogram;
    this.ctx = histogram.getContext("2d");
    this.values = values;
    this.alarm = alarm;
    /** The classes the classifier tells apart: the trainer's (see setClasses). */
    this.classes = 0;
    this.clear();
  }

  /** Takes the number of classes from the trainer. */
  setClasses(classes) {
    this.classes = classes;
    this.refresh();
  }

  /** Forgets the last measurement (a new run); `why` says why there is none, if not merely "not yet". */
  clear(why = "") {
    this.last = null;
    this.unavailable = why;
    this.refresh();
  }

  /** Shows a measurement: `{step, count, fid, histogram, covered, kl_uniform, confidence, collapsed}`. */
  show(metrics) {
    this.last = metrics;
    this.refresh();
  }

  /** Redraws in the current language. */
  refresh() {
    const m = this.last;
    const narrow = m && m.collapsed;
    const early = narrow && m.step < ALARM_AFTER_STEP;
    this.alarm.hidden = !narrow;
    this.alarm.classList.toggle("early", Boolean(early));
    this.alarm.textContent = !narrow ? ""
      : early ? t("collapse_too_early", { step: ALARM_AFTER_STEP })
      : t("collapse_alarm", { covered: m.covered, kl: m.kl_uniform.toFixed(2) });
    if (!m) {
      this.values.textContent = this.unavailable ? t("metrics_unavailable", { why: this.unavailable }) : t("metrics_waiting");
    } else {
      const rows = [
        [t("metric_fid", { count: m.count }), m.fid.toFixed(2)],
        [t("metric_covered"), `${m.covered} / ${this.classes}`],
        [t("metric_kl"), m.kl_uniform.toFixed(3)],
        [t("metric_confidence"), `${(100 * m.confidence).toFixed(1)} %`],
        [t("metric_step"), String(m.step)],
      ];
      this.values.replaceChildren(
        ...rows.flatMap(([name, value]) => {
          const dt = document.createElement("dt");
          dt.textContent = name;
          const dd = document.createElement("dd");
          dd.textContent = value;
          return [dt, dd];
        }),
      );
    }
    this.drawHistogram(m ? m.histogram : new Array(this.classes).fill(0));
  }

  /** A bar per class, the share of generated digits the classifier puts in it; the dashed line
   * is the uniform share (10 % of ten classes) a perfect generator would draw. */
  drawHistogram(shares) {
    const { ctx, canvas } = this;
    const w = canvas.width, h = canvas.height, bottom = h - 16, top = 6;
    const barWidth = w / shares.length;
    const scale = Math.max(0.3, ...shares);
    const y = (share) => bottom - ((bottom - top) * share) / scale;
    ctx.clearRect(0, 0, w, h);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textAlign = "center";
    shares.forEach((share, digit) => {
      ctx.fillStyle = share >= 0.02 ? "#2d6fd2" : "#c3cad6";
      ctx.fillRect(digit * barWidth + 3, y(share), barWidth - 6, bottom - y(share));
      ctx.fillStyle = "#5b6575";
      ctx.fillText(String(digit), (digit + 0.5) * barWidth, h - 3);
    });
    if (!shares.length) return; // the trainer has not said how many classes there are yet
    ctx.strokeStyle = "#2a9d5b";
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(0, y(1 / shares.length));
    ctx.lineTo(w, y(1 / shares.length));
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
