import { indicesByLabel } from '../util/group-by.js';
import { kmeans } from './kmeans.js';

/**
 * Groups clusters into at most `k` parents by k-means on their centroids: the grouping used when
 * no generative model is configured. Returns, for each parent, the indices of its children.
 */
export async function groupByCentroid(
  centroids: readonly Float32Array[],
  k: number,
  seed: number,
): Promise<number[][]> {
  if (k >= centroids.length) return centroids.map((_, i) => [i]);
  const assignments =
    k <= 1
      ? new Int32Array(centroids.length)
      : (await kmeans(centroids, { k, seed, threads: 1 })).assignments;
  return [...indicesByLabel(assignments).values()];
}
