/**
 * The vectors k-means reads. At a million 1,024-d vectors the data alone is 4 GiB, so input that
 * is already laid out the way the kernel wants (one row-major buffer, rows a multiple of 4 floats,
 * shared memory when worker threads read it) is used in place; anything else is copied once.
 */

import { padDim } from '../util/dot-kernel.js';
import { ClioError } from '../util/errors.js';

/** `rows` vectors of `dim` floats stored back to back in `data`. */
export interface VectorMatrix {
  readonly data: Float32Array;
  readonly rows: number;
  readonly dim: number;
}

/** One Float32Array per vector (today's callers), or a matrix. */
export type KMeansInput = readonly Float32Array[] | VectorMatrix;

/**
 * A zeroed matrix in shared memory, for callers that load vectors straight into the buffer
 * k-means will use (a `dim` that is a multiple of 4, as embedding sizes are, avoids any copy).
 */
export function sharedMatrix(rows: number, dim: number): VectorMatrix {
  return { data: new Float32Array(new SharedArrayBuffer(rows * dim * 4)), rows, dim };
}

/** Row views into a matrix, for code that wants one Float32Array per vector (nothing copied). */
export function matrixRows({ data, rows, dim }: VectorMatrix): Float32Array[] {
  return Array.from({ length: rows }, (_, i) => data.subarray(i * dim, (i + 1) * dim));
}

const isMatrix = (input: KMeansInput): input is VectorMatrix => !Array.isArray(input);

/** Rows and row length of the input; rejects ragged or empty rows. */
export function inputShape(input: KMeansInput): { n: number; d: number } {
  if (isMatrix(input)) {
    if (input.data.length < input.rows * input.dim || (input.rows > 0 && input.dim < 1)) {
      throw new ClioError(
        `k-means: a ${input.rows} × ${input.dim} matrix needs ${input.rows * input.dim} floats, got ${input.data.length}`,
      );
    }
    return { n: input.rows, d: input.dim };
  }
  const d = input[0]?.length ?? 0;
  if (input.length > 0 && (d === 0 || input.some((v) => v.length !== d))) {
    throw new ClioError('k-means: vectors must be non-empty and all of the same length');
  }
  return { n: input.length, d };
}

/**
 * The input's n × d floats as one view when the kernel can read them where they are: a matrix, or
 * rows that are consecutive views into one buffer (as `matrixRows` returns). Undefined otherwise.
 */
export function inPlaceData(input: KMeansInput, needsShared: boolean): Float32Array | undefined {
  const { n, d } = inputShape(input);
  if (d !== padDim(d) || n === 0) return undefined;
  let data: Float32Array;
  if (isMatrix(input)) data = input.data.subarray(0, n * d);
  else {
    const first = input[0] as Float32Array;
    const consecutive = input.every(
      (v, i) => v.buffer === first.buffer && v.byteOffset === first.byteOffset + i * d * 4,
    );
    if (!consecutive) return undefined;
    data = new Float32Array(first.buffer, first.byteOffset, n * d);
  }
  return needsShared && !(data.buffer instanceof SharedArrayBuffer) ? undefined : data;
}

/** Copies rows `picks` (or all rows) into a new shared matrix with rows padded to `dim`. */
export function copyRows(input: KMeansInput, dim: number, picks?: ArrayLike<number>): Float32Array {
  const { n, d } = inputShape(input);
  const count = picks ? picks.length : n;
  const out = new Float32Array(new SharedArrayBuffer(count * dim * 4));
  for (let i = 0; i < count; i++) {
    const p = picks ? (picks[i] as number) : i;
    out.set(
      isMatrix(input) ? input.data.subarray(p * d, (p + 1) * d) : (input[p] as Float32Array),
      i * dim,
    );
  }
  return out;
}

/**
 * Collects vectors one at a time into one shared matrix sized up front, so k-means can read the
 * whole set in place. More rows than expected still work (the matrix grows by copying).
 */
export class SharedRows {
  private matrix: VectorMatrix | undefined;
  private count = 0;

  constructor(private readonly expectedRows: number) {}

  append(row: Float32Array): void {
    const dim = this.matrix?.dim ?? row.length;
    if (row.length !== dim || dim === 0) {
      throw new ClioError(`vectors must all have the same length: got ${row.length} after ${dim}`);
    }
    const capacity = this.matrix?.rows ?? 0;
    if (this.count === capacity) {
      const grown = sharedMatrix(Math.max(this.expectedRows, 2 * capacity, 1024), dim);
      if (this.matrix) grown.data.set(this.matrix.data);
      this.matrix = grown;
    }
    (this.matrix as VectorMatrix).data.set(row, this.count * dim);
    this.count++;
  }

  /** One view per appended vector, consecutive in one buffer. */
  rows(): Float32Array[] {
    if (!this.matrix) return [];
    return matrixRows({ ...this.matrix, rows: this.count });
  }
}
