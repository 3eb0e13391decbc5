/**
 * The data-parallel steps of k-means over shared memory. Both the in-thread path and each worker
 * run these same functions on the same SharedArrayBuffer-backed arrays, so the two paths give
 * bit-identical results: every per-point and per-centroid result is computed in a fixed order
 * that does not depend on how the work was split.
 */
import { DotKernel, int16Limit } from '../util/dot-kernel.js';

/** A point set in one coordinate space: rows of `dim` floats (a multiple of 4, zero padded). */
export interface Space {
  data: Float32Array;
  /** Squared norm of each row. */
  norms: Float32Array;
  dim: number;
}

export type SpaceId = 'original' | 'projected';

export interface SharedState {
  n: number;
  /** Never written: it may be the caller's own buffer, read in place. */
  original: Space;
  /** Present when clustering runs on a random projection of `original` first. */
  projected?: Space;
  /** Projection rows (projected.dim × original.dim), each a random direction. */
  projection?: Float32Array;
  /** Centroid rows in the current space (stride = that space's dim). */
  centroids: Float32Array;
  /** Per-centroid coordinate sums in float64 (stride = that space's dim). */
  sums: Float64Array;
  assignments: Int32Array;
  /** Squared distance from each point to its assigned centroid at the last assignment. */
  dists: Float32Array;
  /** Inertia per block of INERTIA_BLOCK points, summed by the caller in block order. */
  blockInertia: Float64Array;
}

export const INERTIA_BLOCK = 1024;
/** Points per kernel call: small enough to stay in cache next to the centroids. */
const CHUNK = 128;

/**
 * How the assignment step computes point · centroid products: `f32` exactly (in float32), or
 * `i16` from both sides rounded to 16-bit integers per row, twice the multiply-adds per
 * instruction and off by ~1e-5 of a unit vector's products, which can only swap points whose
 * two nearest centroids are about that close. Lloyd ends with `f32` rounds, so the result is exact.
 */
export type Precision = 'f32' | 'i16';

export type Task =
  | { op: 'assign'; space: SpaceId; k: number; start: number; end: number; precision?: Precision }
  | { op: 'accumulate'; space: SpaceId; k: number; from: number; to: number }
  | { op: 'project'; start: number; end: number }
  | { op: 'inertia'; space: SpaceId; start: number; end: number };

export function spaceOf(state: SharedState, id: SpaceId): Space {
  const space = id === 'original' ? state.original : state.projected;
  if (!space) throw new Error(`k-means: no ${id} space`);
  return space;
}

/** Squared norms of `count` rows of `dim` starting at `first`, accumulated in float64. */
export function rowNorms(data: Float32Array, dim: number, first: number, count: number) {
  const out = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    const base = (first + r) * dim;
    let s = 0;
    for (let j = 0; j < dim; j++) {
      const v = data[base + j] as number;
      s += v * v;
    }
    out[r] = s;
  }
  return out;
}

/** Point · centroid products for `count` points from `first`: row i at dots[i * stride]. */
type ChunkProducts = (first: number, count: number) => { dots: Float32Array; stride: number };

/** Runs tasks against shared state; owns its kernels so their memory is reused across calls. */
export class KMeansCore {
  private readonly kernel = new DotKernel();
  private readonly int16Kernel = new DotKernel('i16');
  private reserved = '';

  constructor(private readonly state: SharedState) {}

  run(task: Task): number {
    switch (task.op) {
      case 'assign':
        return this.assign(task.space, task.k, task.start, task.end, task.precision ?? 'f32');
      case 'accumulate':
        this.accumulate(task.space, task.from, task.to);
        return 0;
      case 'project':
        this.project(task.start, task.end);
        return 0;
      case 'inertia':
        this.inertia(task.space, task.start, task.end);
        return 0;
    }
  }

  private reserve(dim: number, centres: number): void {
    const key = `${dim}:${centres}`;
    if (key === this.reserved) return;
    this.kernel.reserve(dim, centres, CHUNK);
    this.reserved = key;
  }

  /** Nearest centroid for points [start, end); returns how many points changed cluster. */
  private assign(id: SpaceId, k: number, start: number, end: number, precision: Precision): number {
    const { data, norms, dim } = spaceOf(this.state, id);
    const { centroids, assignments, dists } = this.state;
    const products =
      (precision === 'i16' && this.int16Products(data, dim, k)) || this.floatProducts(data, dim, k);
    const centroidNorms = rowNorms(centroids, dim, 0, k);
    let moved = 0;
    for (let s = start; s < end; s += CHUNK) {
      const count = Math.min(CHUNK, end - s);
      const { dots, stride } = products(s, count);
      for (let i = 0; i < count; i++) {
        const row = i * stride;
        // ||x||² is the same for every centroid, so compare ||c||² − 2x·c only.
        let best = Number.POSITIVE_INFINITY;
        let bestC = 0;
        for (let c = 0; c < k; c++) {
          const v = (centroidNorms[c] as number) - 2 * (dots[row + c] as number);
          if (v < best) {
            best = v;
            bestC = c;
          }
        }
        const p = s + i;
        if (assignments[p] !== bestC) {
          assignments[p] = bestC;
          moved++;
        }
        dists[p] = Math.max(0, (norms[p] as number) + best);
      }
    }
    return moved;
  }

  /** Products of a chunk of points with every centroid, exact in float32. */
  private floatProducts(data: Float32Array, dim: number, k: number): ChunkProducts {
    this.reserve(dim, k);
    const stride = this.kernel.setCentres(this.state.centroids, 0, k);
    return (first, count) => {
      this.kernel.setPoints(data, first, count);
      return { dots: this.kernel.compute(), stride };
    };
  }

  /**
   * The same from int16 rows (see `Precision`), or undefined when rows are not a multiple of 8
   * or hold a value that is not finite (the float path then decides).
   */
  private int16Products(data: Float32Array, dim: number, k: number): ChunkProducts | undefined {
    if (dim % 8 !== 0) return undefined;
    const kernel = this.int16Kernel;
    const limit = int16Limit(dim);
    kernel.reserve(dim, k, Math.max(k, CHUNK));
    const centroids = kernel.quantize(this.state.centroids, k, limit);
    if (!centroids) return undefined;
    kernel.reserve(dim, k, CHUNK);
    const stride = kernel.setCentres(centroids.values, 0, k);
    // Padding centres get a zero scale; their products are never read.
    const scales = new Float32Array(stride);
    scales.set(centroids.scales);
    let float: ChunkProducts | undefined;
    return (first, count) => {
      if (!kernel.setPointsQuantized(data, first, count, limit)) {
        float ??= this.floatProducts(data, dim, k);
        return float(first, count);
      }
      return { dots: kernel.computeScaled(scales, count), stride };
    };
  }

  /** Sums the points of centroids [from, to) in point order, so the result is split-independent. */
  private accumulate(id: SpaceId, from: number, to: number): void {
    const { data, dim } = spaceOf(this.state, id);
    const { sums, assignments, n } = this.state;
    sums.fill(0, from * dim, to * dim);
    for (let p = 0; p < n; p++) {
      const a = assignments[p] as number;
      if (a < from || a >= to) continue;
      const src = p * dim;
      const dst = a * dim;
      for (let j = 0; j < dim; j++) {
        sums[dst + j] = (sums[dst + j] as number) + (data[src + j] as number);
      }
    }
  }

  /** Projects points [start, end) of the original space into the projected space. */
  private project(start: number, end: number): void {
    const { original, projected, projection } = this.state;
    if (!projected || !projection) throw new Error('k-means: projection not prepared');
    const p = projected.dim;
    this.reserve(original.dim, p);
    this.kernel.setCentres(projection, 0, p);
    for (let s = start; s < end; s += CHUNK) {
      const count = Math.min(CHUNK, end - s);
      this.kernel.setPoints(original.data, s, count);
      // p is a multiple of 4, so the kernel's rows are exactly the projected rows.
      projected.data.set(this.kernel.compute(), s * p);
      projected.norms.set(rowNorms(projected.data, p, s, count), s);
    }
  }

  /** Exact float64 inertia of blocks of points [start, end) (start is block-aligned). */
  private inertia(id: SpaceId, start: number, end: number): void {
    const { data, dim } = spaceOf(this.state, id);
    const { centroids, assignments, blockInertia } = this.state;
    for (let b = start; b < end; b += INERTIA_BLOCK) {
      let total = 0;
      for (let p = b; p < Math.min(end, b + INERTIA_BLOCK); p++) {
        const src = p * dim;
        const c = (assignments[p] as number) * dim;
        for (let j = 0; j < dim; j++) {
          const diff = (data[src + j] as number) - (centroids[c + j] as number);
          total += diff * diff;
        }
      }
      blockInertia[b / INERTIA_BLOCK] = total;
    }
  }
}
