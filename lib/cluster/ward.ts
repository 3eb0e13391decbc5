import { dot } from './vectors.js';

/**
 * Agglomerative clustering with Ward's criterion: start with every point as a group and merge
 * the pair whose union raises the within-group variance least until `k` groups remain.
 * Weights are the points' sizes, so a handful of small outlier clusters merge into their nearest
 * neighbours instead of taking whole parents, as k-means on the bare centroids lets them do.
 * O(n²) memory and O(n³) time: meant for the few hundred clusters of an upper level.
 */
export function wardGroups(
  points: readonly Float32Array[],
  sizes: readonly number[],
  k: number,
): number[][] {
  const n = points.length;
  if (k >= n) return points.map((_, i) => [i]);
  const weight = sizes.map((s) => Math.max(1, s));
  // Squared Euclidean distances, turned into Ward merge costs.
  const cost = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = points[i] as Float32Array;
      const b = points[j] as Float32Array;
      const d2 = Math.max(0, dot(a, a) + dot(b, b) - 2 * dot(a, b));
      const wi = weight[i] as number;
      const wj = weight[j] as number;
      const c = ((wi * wj) / (wi + wj)) * d2;
      cost[i * n + j] = c;
      cost[j * n + i] = c;
    }
  }
  const members: (number[] | undefined)[] = points.map((_, i) => [i]);
  const alive = new Set(Array.from({ length: n }, (_, i) => i));
  while (alive.size > k) {
    let bi = -1;
    let bj = -1;
    let best = Number.POSITIVE_INFINITY;
    for (const i of alive) {
      for (const j of alive) {
        if (j <= i) continue;
        const c = cost[i * n + j] as number;
        if (c < best) {
          best = c;
          bi = i;
          bj = j;
        }
      }
    }
    // Lance–Williams update for Ward: the merged group's cost to every other group.
    const wi = weight[bi] as number;
    const wj = weight[bj] as number;
    for (const m of alive) {
      if (m === bi || m === bj) continue;
      const wm = weight[m] as number;
      const c =
        ((wi + wm) * (cost[bi * n + m] as number) +
          (wj + wm) * (cost[bj * n + m] as number) -
          wm * best) /
        (wi + wj + wm);
      cost[bi * n + m] = c;
      cost[m * n + bi] = c;
    }
    weight[bi] = wi + wj;
    members[bi] = [...(members[bi] ?? []), ...(members[bj] ?? [])];
    members[bj] = undefined;
    alive.delete(bj);
  }
  return [...alive].map((i) => (members[i] as number[]).sort((a, b) => a - b));
}
