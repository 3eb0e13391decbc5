import { indicesByLabel } from '../util/group-by.js';
import { kmeans } from './kmeans.js';
import { wardGroups } from './ward.js';

/** Above this many clusters Ward's O(n³) merging is too slow and k-means takes over. */
const MAX_WARD_POINTS = 1500;

/**
 * Groups clusters into at most `k` parents by their centroids: the grouping used when no
 * generative model is configured. Ward's criterion, weighted by cluster size, for the usual few
 * hundred clusters; k-means beyond that. Returns, for each parent, the indices of its children.
 */
export async function groupByCentroid(
  centroids: readonly Float32Array[],
  sizes: readonly number[],
  k: number,
  seed: number,
): Promise<number[][]> {
  if (k >= centroids.length) return centroids.map((_, i) => [i]);
  if (k <= 1) return [centroids.map((_, i) => i)];
  if (centroids.length <= MAX_WARD_POINTS) return wardGroups(centroids, sizes, k);
  const { assignments } = await kmeans(centroids, { k, seed, threads: 1 });
  return [...indicesByLabel(assignments).values()];
}
