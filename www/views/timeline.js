// The timeline: the picture of the run (the sample grid, or a toy's plane) is kept every so many
// steps, and a slider replays how the digits formed. Long runs are thinned rather than cut:
// when the timeline is full every other picture goes and the interval doubles.

/** Pictures kept at most. */
const MAX_PICTURES = 64;

export class Timeline {
  /** `slider` is an `<input type="range">`, `label` shows `describe(step)` of the picture on
   * screen, and `live` is the button that goes back to the running picture. */
  constructor(slider, label, live, describe) {
    this.slider = slider;
    this.label = label;
    this.live = live;
    this.describe = describe;
    this.clear();
    slider.addEventListener("input", () => this.show(Number(slider.value)));
    live.addEventListener("click", () => this.goLive());
  }

  /** Forgets every picture (a new run). */
  clear() {
    /** The pictures kept, oldest first, each with the canvas it was taken from.
     * @type {{step: number, image: ImageBitmap, canvas: HTMLCanvasElement}[]} */
    this.pictures = [];
    /** Steps between two pictures kept; it doubles each time the timeline is thinned. @type {number} */
    this.every = 10;
    /** The picture on screen while the student replays the timeline, else null.
     * @type {{step: number, image: ImageBitmap, canvas: HTMLCanvasElement} | null} */
    this.scrubbing = null;
    this.update();
  }

  /** Keeps a copy of `canvas` taken at `step`, if the interval says so. */
  async record(canvas, step) {
    const last = this.pictures[this.pictures.length - 1];
    if (last && step < last.step + this.every) return;
    const picture = { step, image: await createImageBitmap(canvas), canvas };
    this.pictures.push(picture);
    if (this.pictures.length > MAX_PICTURES) {
      this.pictures = this.pictures.filter((_, i) => i % 2 === 0 || i === this.pictures.length - 1);
      this.every *= 2;
    }
    this.update();
  }

  /** Shows picture `index` on the canvas it was taken from, until the student goes live again. */
  show(index) {
    const picture = this.pictures[index];
    if (!picture) return;
    this.scrubbing = picture;
    // The pictures are of the sample grid and the plane, 2-D canvases both.
    const ctx = /** @type {CanvasRenderingContext2D} */ (picture.canvas.getContext("2d"));
    ctx.clearRect(0, 0, picture.canvas.width, picture.canvas.height);
    ctx.drawImage(picture.image, 0, 0);
    this.update();
  }

  /** Back to the live picture (the next frame paints it). */
  goLive() {
    this.scrubbing = null;
    this.update();
  }

  update() {
    const n = this.pictures.length;
    this.slider.max = String(Math.max(0, n - 1));
    this.slider.disabled = n < 2;
    if (!this.scrubbing) this.slider.value = this.slider.max;
    this.live.hidden = !this.scrubbing;
    this.label.textContent = this.scrubbing ? this.describe(this.scrubbing.step) : "";
  }
}
