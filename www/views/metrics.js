// What the digit classifier makes of the generator's digits: FID, class coverage, KL from
// uniform, confidence, precision and recall with what they say together, a histogram of the
// classes, and the mode-collapse alarm.
import { t } from "../i18n.js";


export class MetricsView {
  /** `histogram` is a canvas, `values` an element for the figures, `alarm` the collapse box. */
  constructor(histogram, values, alarm) {
    this.canvas = histogram;
    this.ctx = histogram.getContext("2d");
    this.values = values;
    this.alarm = alarm;
    /** The trainer's `{classes, covered_share, alarm_window}` (see setConstants). */
    this.constants = { classes: 0, covered_share: 0, alarm_window: 0 };
    this.clear();
  }

  /** Takes from the trainer the classes there are, the share that counts one as drawn, and the
   * steps narrow digits must fail to improve for before the alarm sounds. */
  setConstants({ classes, covered_share, alarm_window }) {
    this.constants = { classes, covered_share, alarm_window };
    this.refresh();
  }

  /** Forgets the last measurement (a new run); `why` says why there is none, if not merely "not yet". */
  clear(why = "") {
    this.last = null;
    this.unavailable = why;
    this.refresh();
  }

  /** Shows a measurement: `{step, count, fid, precision, recall, reading, histogram, covered,
   * kl_uniform, confidence, alarm}`,
   * `alarm` being the trainer's verdict: "quiet", "learning" or "collapse". */
  show(metrics) {
    this.last = metrics;
    this.refresh();
  }

  /** Redraws in the current language. */
  refresh() {
    const m = this.last;
    const alarm = m ? m.alarm : "quiet";
    this.alarm.hidden = alarm === "quiet";
    this.alarm.classList.toggle("early", alarm === "learning");
    this.alarm.textContent = alarm === "quiet" ? ""
      : alarm === "learning" ? t("collapse_learning", { covered: m.covered, window: this.constants.alarm_window })
      : t("collapse_alarm", { covered: m.covered, kl: m.kl_uniform.toFixed(2) });
    if (!m) {
      this.values.textContent = this.unavailable ? t("metrics_unavailable", { why: this.unavailable }) : t("metrics_waiting");
    } else {
      const rows = [
        [t("metric_fid", { count: m.count }), m.fid.toFixed(2)],
        [t("metric_covered"), `${m.covered} / ${this.constants.classes}`],
        [t("metric_kl"), m.kl_uniform.toFixed(3)],
        [t("metric_confidence"), `${(100 * m.confidence).toFixed(1)} %`],
        ...(m.reading ? [
          [t("metric_precision"), m.precision.toFixed(2)],
          [t("metric_recall"), m.recall.toFixed(2)],
        ] : []),
        ...(m.modes ? [
          [t("metric_stacked_modes"), `${m.modes.covered} / ${m.modes.modes}`],
          [t("metric_stacked_kl"), m.modes.kl_uniform.toFixed(3)],
        ] : []),
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
      if (m.reading) {
        // What precision and recall say together, in a sentence across the list.
        const dd = document.createElement("dd");
        dd.className = `fidelity ${m.reading}`;
        dd.id = "fidelity-reading";
        dd.textContent = t(`fidelity.${m.reading}`);
        this.values.append(dd);
      }
    }
    this.drawHistogram(m ? m.histogram : new Array(this.constants.classes).fill(0));
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
      ctx.fillStyle = share >= this.constants.covered_share ? "#2d6fd2" : "#c3cad6";
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
