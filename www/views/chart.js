// Live training curves on a canvas: losses on top, the discriminator's verdicts below.

const SERIES = [
  { key: "loss_d", label: "loss D", color: "#d2462d", panel: 0 },
  { key: "loss_g", label: "loss G", color: "#2d6fd2", panel: 0 },
  { key: "d_real", label: "D(x)", color: "#2a9d5b", panel: 1 },
  { key: "d_fake", label: "D(G(z))", color: "#a35bd6", panel: 1 },
];
const COLUMN = { step: 0, loss_d: 1, loss_g: 2, d_real: 3, d_fake: 4 };
/** At most this many points are kept per series; older ones are thinned, not dropped. */
const MAX_POINTS = 2000;

export class Chart {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.clear();
  }

  clear() {
    this.points = []; // [step, loss_d, loss_g, d_real, d_fake]
    this.stride = 1;
    this.pending = 0;
    this.draw();
  }

  /** Adds rows of [step, loss_d, loss_g, d_real, d_fake] as a Float32Array. */
  add(rows) {
    for (let i = 0; i + 5 <= rows.length; i += 5) {
      if (++this.pending < this.stride) continue;
      this.pending = 0;
      this.points.push(Array.from(rows.subarray(i, i + 5)));
    }
    if (this.points.length > MAX_POINTS) {
      this.points = this.points.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  draw() {
    const { ctx, canvas } = this;
    const w = canvas.width, h = canvas.height;
    ctx.clearRect(0, 0, w, h);
    ctx.font = "12px system-ui, sans-serif";
    const panels = [
      { top: 8, height: h * 0.55 - 16, fixed: null },
      { top: h * 0.55 + 8, height: h * 0.45 - 28, fixed: [0, 1] },
    ];
    const left = 44, right = w - 8;
    const first = this.points.length ? this.points[0][COLUMN.step] : 0;
    const last = this.points.length ? this.points[this.points.length - 1][COLUMN.step] : 1;
    const x = (step) => left + ((right - left) * (step - first)) / Math.max(1, last - first);
    panels.forEach((panel, p) => {
      const series = SERIES.filter((s) => s.panel === p);
      let [lo, hi] = panel.fixed || [0, 0.1];
      if (!panel.fixed) {
        for (const pt of this.points) for (const s of series) hi = Math.max(hi, pt[COLUMN[s.key]]);
        hi = Math.min(hi * 1.05, 20);
      }
      const y = (v) => panel.top + panel.height * (1 - (Math.min(Math.max(v, lo), hi) - lo) / (hi - lo));
      ctx.strokeStyle = "#e4e7ec";
      ctx.fillStyle = "#5b6575";
      ctx.lineWidth = 1;
      for (let k = 0; k <= 4; k++) {
        const v = lo + ((hi - lo) * k) / 4;
        ctx.beginPath();
        ctx.moveTo(left, y(v));
        ctx.lineTo(right, y(v));
        ctx.stroke();
        ctx.fillText(v.toFixed(2), 4, y(v) + 4);
      }
      series.forEach((s, i) => {
        ctx.strokeStyle = s.color;
        ctx.lineWidth = 1.5;
        ctx.beginPath();
        this.points.forEach((pt, j) => {
          const method = j ? "lineTo" : "moveTo";
          ctx[method](x(pt[COLUMN.step]), y(pt[COLUMN[s.key]]));
        });
        ctx.stroke();
        ctx.fillStyle = s.color;
        ctx.fillText(s.label, left + 8 + i * 80, panel.top + 14);
      });
    });
    ctx.fillStyle = "#5b6575";
    ctx.fillText(`step ${Math.round(first)}`, left, h - 6);
    const end = `step ${Math.round(last)}`;
    ctx.fillText(end, right - ctx.measureText(end).width, h - 6);
  }
}
