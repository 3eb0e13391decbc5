/**
 * Greedy k-means++ seeding on a random sample. Plain k-means++ over all n points costs n·k·d with
 * poor locality; a sample of a few thousand points gives seeds that Lloyd iterations then refine
 * at a fraction of the cost. Distances use the SIMD kernel with the sample resident in its memory.
 */

import { DotKernel } from '../util/dot-kernel.js';
import { type Rng, randomInt, sampleIndices } from '../util/random.js';
import type { Space } from './kmeans-ops.js';

export interface Seeds {
  /** Chosen centroid rows (count × dim). */
  centroids: Float32Array;
  /** May be below k when the sample has fewer distinct points. */
  count: number;
}

/** Below this relative size a kernel distance is dominated by rounding, so recompute it exactly. */
const EXACT_BELOW = 1e-4;

/** Exact squared distance between row a of `x` and row b of `y`, both with stride `dim`. */
export function exactSquaredDistance(
  x: Float32Array,
  a: number,
  y: Float32Array,
  b: number,
  dim: number,
): number {
  let s = 0;
  for (let j = 0; j < dim; j++) {
    const diff = (x[a * dim + j] as number) - (y[b * dim + j] as number);
    s += diff * diff;
  }
  return s;
}

export function seedPlusPlus(
  space: Space,
  n: number,
  k: number,
  rng: Rng,
  sampleSize: number,
): Seeds {
  const { dim } = space;
  const picks = sampleIndices(rng, n, sampleSize);
  const m = picks.length;
  const sample = new Float32Array(m * dim);
  const norms = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const p = picks[i] as number;
    sample.set(space.data.subarray(p * dim, (p + 1) * dim), i * dim);
    norms[i] = space.norms[p] as number;
  }

  // sklearn's choice: 2 + ln k candidates per step, keep the one that lowers the potential most.
  const trials = 2 + Math.floor(Math.log(k));
  const kernel = new DotKernel();
  kernel.reserve(dim, trials, m);
  kernel.setPoints(sample, 0, m);
  const candidates = new Float32Array(trials * dim);
  const candidateNorms = new Float64Array(trials);

  const d2 = new Float64Array(m * trials);

  // Squared distances from each sample point to `count` candidate rows into d2 (stride `count`).
  const distancesTo = (count: number): void => {
    const stride = kernel.setCentres(candidates, 0, count);
    const dots = kernel.compute();
    for (let i = 0; i < m; i++) {
      for (let c = 0; c < count; c++) {
        const scale = (norms[i] as number) + (candidateNorms[c] as number);
        let v = scale - 2 * (dots[i * stride + c] as number);
        if (v < EXACT_BELOW * scale) v = exactSquaredDistance(sample, i, candidates, c, dim);
        d2[i * count + c] = v;
      }
    }
  };
  const setCandidate = (slot: number, sampleRow: number) => {
    candidates.set(sample.subarray(sampleRow * dim, (sampleRow + 1) * dim), slot * dim);
    candidateNorms[slot] = norms[sampleRow] as number;
  };

  const chosen: number[] = [randomInt(rng, m)];
  setCandidate(0, chosen[0] as number);
  distancesTo(1);
  const closest = d2.slice(0, m);
  const cumulative = new Float64Array(m);
  while (chosen.length < k) {
    let total = 0;
    for (let i = 0; i < m; i++) {
      total += closest[i] as number;
      cumulative[i] = total;
    }
    // Every sample point coincides with a chosen seed: no further distinct centroid exists.
    if (!(total > 0)) break;
    const rows: number[] = [];
    for (let t = 0; t < trials; t++) {
      const row = lowerBound(cumulative, rng() * total);
      rows.push(row);
      setCandidate(t, row);
    }
    distancesTo(trials);
    let bestT = 0;
    let bestPotential = Number.POSITIVE_INFINITY;
    for (let t = 0; t < trials; t++) {
      let potential = 0;
      for (let i = 0; i < m; i++)
        potential += Math.min(closest[i] as number, d2[i * trials + t] as number);
      if (potential < bestPotential) {
        bestPotential = potential;
        bestT = t;
      }
    }
    const row = rows[bestT] as number;
    // Rounding in the draw can land on a zero-weight point, i.e. a duplicate of a seed.
    if (!((closest[row] as number) > 0)) continue;
    chosen.push(row);
    for (let i = 0; i < m; i++) {
      const v = d2[i * trials + bestT] as number;
      if (v < (closest[i] as number)) closest[i] = v;
    }
  }

  const centroids = new Float32Array(chosen.length * dim);
  chosen.forEach((row, c) => {
    centroids.set(sample.subarray(row * dim, (row + 1) * dim), c * dim);
  });
  return { centroids, count: chosen.length };
}

/** First index whose cumulative weight exceeds `target`; skips zero-weight points. */
function lowerBound(cumulative: Float64Array, target: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
