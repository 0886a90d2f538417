// The plane of a 2-D toy run, as GAN Lab draws it: D's verdict over the unit square as the
// background, the real points, G's points, and on each of G's points an arrow for the step G's
// loss asks of it. With the drawn data set the student draws the distribution here.

/** A new drawn point needs at least this distance (in unit coordinates) from the last one. */
const DRAW_SPACING = 0.012;
/** The longest arrow, in pixels; the others are scaled to it. */
const ARROW_PX = 18;

export class Plane {
  /** `onDraw(points)` is called with the drawn points (unit coordinates) after each stroke. */
  constructor(canvas, onDraw) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.heat = document.createElement("canvas");
    this.real = new Float32Array(0);
    this.view = null;
    this.wasserstein = false;
    this.drawing = false;
    this.drawn = [];
    this.onDraw = onDraw;
    /** The most points a drawing may hold, and the decimals a point keeps: the trainer's (see limit). */
    this.maxDrawn = 0;
    this.scale = 1;
    canvas.addEventListener("pointerdown", (e) => this.stroke(e, true));
    canvas.addEventListener("pointermove", (e) => this.stroke(e, false));
    for (const end of ["pointerup", "pointerleave"]) canvas.addEventListener(end, () => this.endStroke());
  }

  /** Takes the trainer's limits on a drawing: at most `maxDrawn` points of `decimals` decimals. */
  limit(maxDrawn, decimals) {
    this.maxDrawn = maxDrawn;
    this.scale = 10 ** decimals;
  }

  /** Real points (flattened pairs) to show, and whether D is a Wasserstein critic (its score is
   * unbounded, so the background spans its range instead of σ's). */
  setData(real, wasserstein) {
    this.real = real;
    this.wasserstein = wasserstein;
    this.draw();
  }

  /** Lets the student draw (the drawn data set) or not; `points` are the drawing to start from. */
  setDrawable(on, points = []) {
    this.drawable = on;
    this.drawn = points.map((p) => [...p]);
    this.canvas.classList.toggle("drawable", on);
    this.draw();
  }

  /** Shows a frame of the run: `{points, logits, push, resolution}` from the worker. */
  show(view) {
    this.view = view;
    this.draw();
  }

  stroke(e, starting) {
    if (!this.drawable || (!starting && !this.drawing)) return;
    this.drawing = true;
    const rect = this.canvas.getBoundingClientRect();
    const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * this.scale) / this.scale;
    const point = [round((e.clientX - rect.left) / rect.width), round(1 - (e.clientY - rect.top) / rect.height)];
    const last = this.drawn[this.drawn.length - 1];
    if (this.drawn.length >= this.maxDrawn || (last && Math.hypot(point[0] - last[0], point[1] - last[1]) < DRAW_SPACING)) return;
    this.drawn.push(point);
    this.draw();
  }

  endStroke() {
    if (!this.drawing) return;
    this.drawing = false;
    this.onDraw(this.drawn);
  }

  draw() {
    const { ctx, canvas } = this;
    const { width: w, height: h } = canvas;
    ctx.fillStyle = "#f4f5f7";
    ctx.fillRect(0, 0, w, h);
    const v = this.view;
    if (v) this.drawHeat(v);
    const dot = (x, y, r, color) => {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.arc(x * w, (1 - y) * h, r, 0, 2 * Math.PI);
      ctx.fill();
    };
    for (let i = 0; i + 1 < this.real.length; i += 2) dot(this.real[i], this.real[i + 1], 1.6, "rgba(42,157,91,0.55)");
    for (const [x, y] of this.drawable ? this.drawn : []) dot(x, y, 2.5, "#e08a00");
    if (!v) return;
    let longest = 0;
    for (let i = 0; i + 1 < v.push.length; i += 2) longest = Math.max(longest, Math.hypot(v.push[i], v.push[i + 1]));
    ctx.strokeStyle = "rgba(29,36,48,0.55)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let i = 0; i + 1 < v.points.length; i += 2) {
      const [x, y] = [v.points[i] * w, (1 - v.points[i + 1]) * h];
      const scale = longest > 0 ? ARROW_PX / longest : 0;
      ctx.moveTo(x, y);
      ctx.lineTo(x + v.push[i] * scale, y - v.push[i + 1] * scale);
    }
    ctx.stroke();
    for (let i = 0; i + 1 < v.points.length; i += 2) dot(v.points[i], v.points[i + 1], 1.8, "#1d2430");
  }

  /** D's verdict as a light (real) to dark (fake) background, scaled up without smoothing. */
  drawHeat(v) {
    const r = v.resolution;
    let lo = Infinity, hi = -Infinity;
    for (const l of v.logits) { lo = Math.min(lo, l); hi = Math.max(hi, l); }
    const shade = this.wasserstein
      ? (l) => (hi > lo ? (l - lo) / (hi - lo) : 0.5)
      : (l) => 1 / (1 + Math.exp(-l));
    this.heat.width = this.heat.height = r;
    const image = new ImageData(r, r);
    for (let row = 0; row < r; row++) {
      for (let col = 0; col < r; col++) {
        const s = shade(v.logits[row * r + col]);
        const at = 4 * ((r - 1 - row) * r + col); // row 0 is the bottom of the plane
        image.data.set([70 + 170 * s, 90 + 150 * s, 130 + 110 * s, 255], at);
      }
    }
    // A canvas only ever drawn on in 2-D always has a 2-D context.
    /** @type {CanvasRenderingContext2D} */ (this.heat.getContext("2d")).putImageData(image, 0, 0);
    this.ctx.imageSmoothingEnabled = true;
    this.ctx.drawImage(this.heat, 0, 0, this.canvas.width, this.canvas.height);
  }
}
