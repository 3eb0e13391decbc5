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

/** The share of points at each end of an axis that counts as outlying. */
const TAIL = 0.05;
/** Room at each edge of the map for the outlying points, as a share of the side. */
const EDGE = 0.1;

/**
 * Map positions (uint16 pairs) as [0, 1]² laid out so outliers cannot squeeze the rest: on each
 * axis the middle 90 % of points spans the middle 80 % linearly and the outer 5 % at either end
 * (spread over most of the range in a UMAP layout) is drawn in the 10 % band at that edge, still
 * in order, so every point stays on the map.
 */
export function robustPositions(points: Uint16Array): Float32Array {
  const out = new Float32Array(points.length);
  for (const axis of [0, 1]) {
    const warp = axisWarp(points, axis);
    for (let i = axis; i < points.length; i += 2) out[i] = warp(points[i] as number);
  }
  return out;
}

function axisWarp(points: Uint16Array, axis: number): (v: number) => number {
  const n = points.length / 2;
  const values = new Uint16Array(n);
  for (let i = 0; i < n; i++) values[i] = points[2 * i + axis] as number;
  values.sort();
  const at = (q: number) => values[Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))))] ?? 0;
  const [min, lo, hi, max] = [at(0), at(TAIL), at(1 - TAIL), at(1)];
  const segment = (v: number, from: number, to: number, a: number, b: number) =>
    to > from ? a + ((v - from) / (to - from)) * (b - a) : (a + b) / 2;
  // Without real tails (min close to lo) the edge band would sit empty: use the full range.
  if (hi <= lo) return (v) => segment(v, min, max, 0, 1);
  return (v) =>
    v < lo
      ? segment(v, min, lo, 0, EDGE)
      : v > hi
        ? segment(v, hi, max, 1 - EDGE, 1)
        : segment(v, lo, hi, EDGE, 1 - EDGE);
}

/** Zoom and pan over the fitted map: screen = k · fitted + (x, y), in CSS pixels. */
export interface Transform {
  readonly k: number;
  readonly x: number;
  readonly y: number;
}

export const IDENTITY: Transform = { k: 1, x: 0, y: 0 };
export const MIN_ZOOM = 0.5;
export const MAX_ZOOM = 64;

/** Zooms by `factor` keeping the point under (px, py) where it is. */
export function zoomAt(t: Transform, factor: number, px: number, py: number): Transform {
  const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, t.k * factor));
  const ratio = k / t.k;
  return { k, x: px - (px - t.x) * ratio, y: py - (py - t.y) * ratio };
}

/**
 * How far one axis may be stretched against the other to use a wide (or tall) canvas: a square
 * in a desktop window would leave half of it empty, while 1.75× still reads as the same layout.
 */
const MAX_STRETCH = 1.75;

/** Fits [0, 1]² into the canvas, centred and stretched at most MAX_STRETCH, then zooms. */
export function toScreen(
  positions: Float32Array,
  width: number,
  height: number,
  t: Transform = IDENTITY,
  pad = 12,
): Float32Array {
  const [w, h] = [Math.max(1, width - 2 * pad), Math.max(1, height - 2 * pad)];
  const sideX = Math.min(w, MAX_STRETCH * h);
  const sideY = Math.min(h, MAX_STRETCH * w);
  const left = (width - sideX) / 2;
  const top = (height - sideY) / 2;
  const out = new Float32Array(positions.length);
  for (let i = 0; i < positions.length; i += 2) {
    out[i] = t.k * (left + (positions[i] as number) * sideX) + t.x;
    out[i + 1] = t.k * (top + (positions[i + 1] as number) * sideY) + t.y;
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

export interface MapLabel {
  readonly x: number;
  readonly y: number;
  readonly text: string;
}

const LABEL_CHARS = 28;

/**
 * Cluster names at their centres, most important first, each skipped when it would cover one
 * already drawn; a white halo keeps them readable over the dots. Returns the names drawn.
 */
export function drawLabels(
  context: CanvasRenderingContext2D,
  labels: readonly MapLabel[],
  ratio: number,
): string[] {
  const { width, height } = context.canvas;
  context.save();
  context.scale(ratio, ratio);
  context.font = '600 12px system-ui, sans-serif';
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.lineJoin = 'round';
  context.lineWidth = 3.5;
  context.strokeStyle = 'rgba(255,255,255,0.92)';
  context.fillStyle = '#1d2330';
  const placed: [number, number, number, number][] = [];
  const drawn: string[] = [];
  for (const label of labels) {
    const text =
      label.text.length > LABEL_CHARS ? `${label.text.slice(0, LABEL_CHARS - 1)}…` : label.text;
    const w = context.measureText(text).width + 6;
    const box: [number, number, number, number] = [label.x - w / 2, label.y - 9, w, 18];
    const outside =
      box[0] < 0 || box[1] < 0 || box[0] + w > width / ratio || box[1] + 18 > height / ratio;
    const overlaps = placed.some(
      ([x, y, bw, bh]) => box[0] < x + bw && x < box[0] + w && box[1] < y + bh && y < box[1] + 18,
    );
    if (outside || overlaps) continue;
    placed.push(box);
    context.strokeText(text, label.x, label.y);
    context.fillText(text, label.x, label.y);
    drawn.push(label.text);
  }
  context.restore();
  return drawn;
}

/** The shown (not faded) points inside a screen rectangle, in member order. */
export function pointsInRect(
  layer: MapLayer,
  rect: { x0: number; y0: number; x1: number; y1: number },
): number[] {
  const [left, right] = [Math.min(rect.x0, rect.x1), Math.max(rect.x0, rect.x1)];
  const [top, bottom] = [Math.min(rect.y0, rect.y1), Math.max(rect.y0, rect.y1)];
  const inside: number[] = [];
  for (let p = 0; p < layer.emphasis.length; p++) {
    if (layer.emphasis[p] !== 2) continue;
    const x = layer.screen[2 * p] as number;
    const y = layer.screen[2 * p + 1] as number;
    if (x >= left && x <= right && y >= top && y <= bottom) inside.push(p);
  }
  return inside;
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
      const [x, y] = [layer.screen[2 * p] as number, layer.screen[2 * p + 1] as number];
      // Zoomed in, most points lie off the canvas, where nobody can point at them.
      if (x < 0 || y < 0 || x > width) continue;
      const key = this.key(x, y);
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
