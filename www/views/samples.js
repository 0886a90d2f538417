// The fixed-noise sample grid: RGBA pixels from the worker, painted as they are.

export class SampleGrid {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
  }

  /** Paints a `side × side` RGBA image. */
  show(rgba, side) {
    if (this.canvas.width !== side) this.canvas.width = this.canvas.height = side;
    this.ctx.putImageData(new ImageData(rgba, side, side), 0, 0);
  }
}
