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

/** Paints RGBA pixels from the trainer, `width` × `height`, on `canvas`, sized to fit them. */
export function paint(canvas, rgba, width, height) {
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
}

/** Fills `list` with one item per column of the picture above it, in equal columns. `items` are
 * strings or nodes. */
export function columns(list, items) {
  list.style.gridTemplateColumns = `repeat(${Math.max(1, items.length)}, 1fr)`;
  list.replaceChildren(...items.map((content) => {
    const item = document.createElement("li");
    item.append(...(Array.isArray(content) ? content : [content]));
    return item;
  }));
}

/** `canvas` enlarged `scale` times with its pixels kept square (a picture for a slide), or
 * `canvas` itself at scale 1. */
export function enlarged(canvas, scale) {
  if (scale === 1) return canvas;
  const big = document.createElement("canvas");
  big.width = canvas.width * scale;
  big.height = canvas.height * scale;
  const ctx = /** @type {CanvasRenderingContext2D} */ (big.getContext("2d"));
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(canvas, 0, 0, big.width, big.height);
  return big;
}
