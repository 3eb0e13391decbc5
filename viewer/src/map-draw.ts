/** Canvas drawing and hit-testing for the map: plain functions over typed arrays, fast at 100k. */

export interface MapLayer {
  /** x, y per point in CSS pixels. */
  readonly screen: Float32Array;
  /** Palette index per point. */
  readonly colour: Uint16Array;
  /** Per point: 0 hidden, 1 faded, 2 shown. */
  readonly emphasis: Uint8Array;
}

const FADED_ALPHA = 0.12;
const SHOWN_ALPHA = 0.85;

/** Fits [0, 1]² into the canvas as a centred square, so distances keep their proportions. */
export function toScreen(
  points: Uint16Array,
  width: number,
  height: number,
  pad = 12,
): Float32Array {
  const side = Math.max(1, Math.min(width, height) - 2 * pad);
  const left = (width - side) / 2;
  const top = (height - side) / 2;
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 2) {
    out[i] = left + ((points[i] as number) / 65535) * side;
    out[i + 1] = top + ((points[i + 1] as number) / 65535) * side;
  }
  return out;
}

export function parseColour(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{6})$/i.exec(css);
  if (hex) {
    const n = Number.parseInt(hex[1] as string, 16);
    return [n >> 16, (n >> 8) & 255, n & 255];
  }
  // hsl(h s% l%) from the model's golden-angle fallback.
  const [h = 0, s = 50, l = 50] = (css.match(/[\d.]+/g) ?? []).map(Number);
  const a = (s / 100) * Math.min(l / 100, 1 - l / 100);
  const f = (n: number) => {
    const k = (n + h / 30) % 12;
    return Math.round(255 * (l / 100 - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [f(0), f(8), f(4)];
}

/** Draws faded points first, then shown ones on top, as small square dots blended in. */
export function drawPoints(
  context: CanvasRenderingContext2D,
  layer: MapLayer,
  palette: readonly [number, number, number][],
  ratio: number,
): number {
  const { width, height } = context.canvas;
  const image = context.createImageData(width, height);
  const data = image.data;
  data.fill(255);
  // Few points can afford bigger dots; 100k need small ones to stay apart.
  const size = Math.max(2, Math.round((layer.emphasis.length <= 5000 ? 3 : 2) * ratio));
  let drawn = 0;
  for (const pass of [1, 2]) {
    const alpha = pass === 1 ? FADED_ALPHA : SHOWN_ALPHA;
    for (let p = 0; p < layer.emphasis.length; p++) {
      if (layer.emphasis[p] !== pass) continue;
      const [r, g, b] = palette[layer.colour[p] as number] ?? [0, 0, 0];
      const x0 = Math.round((layer.screen[2 * p] as number) * ratio - size / 2);
      const y0 = Math.round((layer.screen[2 * p + 1] as number) * ratio - size / 2);
      for (let y = Math.max(0, y0); y < Math.min(height, y0 + size); y++) {
        for (let x = Math.max(0, x0); x < Math.min(width, x0 + size); x++) {
          const o = 4 * (y * width + x);
          data[o] = (data[o] as number) * (1 - alpha) + r * alpha;
          data[o + 1] = (data[o + 1] as number) * (1 - alpha) + g * alpha;
          data[o + 2] = (data[o + 2] as number) * (1 - alpha) + b * alpha;
        }
      }
      drawn++;
    }
  }
  context.putImageData(image, 0, 0);
  return drawn;
}

const CELL = 8;

/** Points bucketed by screen cell, so the point under the pointer is found without a scan. */
export class HitGrid {
  private readonly cells = new Map<number, number[]>();
  private readonly columns: number;

  constructor(
    private readonly layer: MapLayer,
    width: number,
  ) {
    this.columns = Math.ceil(width / CELL) + 1;
    for (let p = 0; p < layer.emphasis.length; p++) {
      if (layer.emphasis[p] === 0) continue;
      const key = this.key(layer.screen[2 * p] as number, layer.screen[2 * p + 1] as number);
      const cell = this.cells.get(key);
      if (cell) cell.push(p);
      else this.cells.set(key, [p]);
    }
  }

  private key(x: number, y: number): number {
    return Math.floor(y / CELL) * this.columns + Math.min(this.columns - 1, Math.floor(x / CELL));
  }

  /** The nearest point within `radius` CSS pixels, preferring shown points over faded ones. */
  nearest(x: number, y: number, radius = 6): number | undefined {
    let best: number | undefined;
    let bestScore = Infinity;
    const [left, right] = [Math.floor((x - radius) / CELL), Math.floor((x + radius) / CELL)];
    const [top, bottom] = [Math.floor((y - radius) / CELL), Math.floor((y + radius) / CELL)];
    for (let row = top; row <= bottom; row++) {
      for (let column = left; column <= right; column++) {
        if (column < 0 || column >= this.columns) continue;
        for (const p of this.cells.get(row * this.columns + column) ?? []) {
          const px = this.layer.screen[2 * p] as number;
          const py = this.layer.screen[2 * p + 1] as number;
          const d = Math.hypot(px - x, py - y);
          const score = d + (this.layer.emphasis[p] === 2 ? 0 : radius);
          if (d <= radius && score < bestScore) [best, bestScore] = [p, score];
        }
      }
    }
    return best;
  }
}
