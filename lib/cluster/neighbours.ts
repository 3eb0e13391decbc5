import { DotKernel, padDim } from '../util/dot-kernel.js';
import { indicesByLabel } from '../util/group-by.js';
import { kmeans } from './kmeans.js';
import { dot } from './vectors.js';

/** Up to this many points, every pair is compared (≈ 0.3 s at 8k × 768 on one core). */
const EXACT_LIMIT = 8192;
/** Cells searched around each point's own when the search is approximate. */
const PROBES = 6;
const BLOCK_CANDIDATES = 1024;
const BLOCK_POINTS = 256;

export interface NeighbourOptions {
  readonly seed: number;
  /** Points above which the search goes through k-means cells; exposed for tests. */
  readonly exactLimit?: number;
}

/**
 * The `k` most similar other points (by dot product, so cosine for unit vectors) of every point,
 * `result[i * k + j]` the j-th nearest of point i, nearest first; -1 pads when there are fewer
 * than k others. Exact up to `exactLimit` points; above, an inverted-file search: k-means with
 * √n cells, and each cell's points compared with the points of the nearest cells only, which
 * keeps the cost near n^1.5 instead of n². Dot products run in the WebAssembly SIMD kernel.
 */
export async function nearestNeighbours(
  vectors: readonly Float32Array[],
  k: number,
  options: NeighbourOptions,
): Promise<Int32Array> {
  const n = vectors.length;
  const result = new Int32Array(n * k).fill(-1);
  if (n < 2 || k < 1) return result;
  const d = vectors[0]?.length ?? 0;
  const dim = padDim(d);
  const flat = new Float32Array(n * dim);
  vectors.forEach((v, i) => {
    flat.set(v, i * dim);
  });
  const kernel = new DotKernel();
  kernel.reserve(dim, BLOCK_CANDIDATES, BLOCK_POINTS);
  const best = new Float32Array(k);
  const bestIndex = new Int32Array(k);

  for (const { points, candidates } of await searchPlan(vectors, options)) {
    const pointRows = gather(flat, points, dim);
    const candidateRows = gather(flat, candidates, dim);
    // Per point, the best k seen so far across candidate blocks.
    const top = new Float32Array(points.length * k).fill(Number.NEGATIVE_INFINITY);
    const topIndex = new Int32Array(points.length * k).fill(-1);
    for (let c0 = 0; c0 < candidates.length; c0 += BLOCK_CANDIDATES) {
      const count = Math.min(BLOCK_CANDIDATES, candidates.length - c0);
      const stride = kernel.setCentres(candidateRows, c0, count);
      for (let p0 = 0; p0 < points.length; p0 += BLOCK_POINTS) {
        const pointCount = Math.min(BLOCK_POINTS, points.length - p0);
        kernel.setPoints(pointRows, p0, pointCount);
        const dots = kernel.compute();
        for (let p = 0; p < pointCount; p++) {
          const self = points[p0 + p] as number;
          const at = (p0 + p) * k;
          best.set(top.subarray(at, at + k));
          bestIndex.set(topIndex.subarray(at, at + k));
          for (let c = 0; c < count; c++) {
            const other = candidates[c0 + c] as number;
            const score = dots[p * stride + c] as number;
            if (other === self || score <= (best[k - 1] as number)) continue;
            insertSorted(best, bestIndex, score, other);
          }
          top.set(best, at);
          topIndex.set(bestIndex, at);
        }
      }
    }
    points.forEach((point, p) => {
      result.set(topIndex.subarray(p * k, (p + 1) * k), point * k);
    });
  }
  return result;
}

/** Keeps `scores` descending: the new entry goes in its place and the last one drops out. */
function insertSorted(scores: Float32Array, indices: Int32Array, score: number, index: number) {
  let j = scores.length - 1;
  while (j > 0 && (scores[j - 1] as number) < score) {
    scores[j] = scores[j - 1] as number;
    indices[j] = indices[j - 1] as number;
    j--;
  }
  scores[j] = score;
  indices[j] = index;
}

function gather(flat: Float32Array, rows: readonly number[], dim: number): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((row, i) => {
    out.set(flat.subarray(row * dim, (row + 1) * dim), i * dim);
  });
  return out;
}

interface SearchCell {
  readonly points: readonly number[];
  readonly candidates: readonly number[];
}

/** Which points are compared with which: everything with everything, or cell by cell. */
async function searchPlan(
  vectors: readonly Float32Array[],
  options: NeighbourOptions,
): Promise<SearchCell[]> {
  const n = vectors.length;
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= (options.exactLimit ?? EXACT_LIMIT)) return [{ points: all, candidates: all }];
  const { assignments, centroids } = await kmeans(vectors, {
    k: Math.round(Math.sqrt(n)),
    seed: options.seed,
    maxIterations: 10,
    tolerance: 0.01,
  });
  const cells = [...indicesByLabel(assignments)].sort(([a], [b]) => a - b);
  const members = new Map(cells);
  return cells.map(([cell, points]) => {
    const centre = centroids[cell] as Float32Array;
    const nearest = cells
      .filter(([other]) => other !== cell)
      .map(([other]) => ({ other, score: dot(centroids[other] as Float32Array, centre) }))
      .sort((a, b) => b.score - a.score || a.other - b.other)
      .slice(0, PROBES)
      .map(({ other }) => other);
    return { points, candidates: [cell, ...nearest].flatMap((c) => members.get(c) ?? []) };
  });
}
