import type { VizCluster } from '../../lib/viz/format.js';
import type { Model } from './model.js';

/** Members sampled per cluster for its centre: medians settle long before this. */
const CENTRE_SAMPLE = 301;

const median = (values: number[]) => {
  values.sort((a, b) => a - b);
  return values[values.length >> 1] ?? 0;
};

/** Grid cells per side when finding where a cluster's members gather. */
const GATHER_GRID = 12;

/**
 * Where each cluster's name goes on the map ([0, 1]², as laid out): among its members, the median
 * of those in the grid cell holding most of them. A cluster spread over the map gets its name on
 * its densest patch of dots rather than at a mean that may fall between its patches.
 */
export function clusterCentres(
  model: Model,
  positions: Float32Array,
): Map<VizCluster, [number, number]> {
  const n = positions.length / 2;
  const cell = (v: number) => Math.min(GATHER_GRID - 1, Math.max(0, Math.floor(v * GATHER_GRID)));
  const centres = new Map<VizCluster, [number, number]>();
  for (const c of model.index.clusters) {
    const size = Math.min(c.size, n - c.start);
    if (size <= 0) continue;
    const take = Math.min(size, CENTRE_SAMPLE);
    const cells = new Map<number, { xs: number[]; ys: number[] }>();
    for (let k = 0; k < take; k++) {
      const p = c.start + Math.floor((k * size) / take);
      const [x, y] = [positions[2 * p] as number, positions[2 * p + 1] as number];
      const key = cell(y) * GATHER_GRID + cell(x);
      const bucket = cells.get(key) ?? { xs: [], ys: [] };
      bucket.xs.push(x);
      bucket.ys.push(y);
      cells.set(key, bucket);
    }
    let densest = { xs: [] as number[], ys: [] as number[] };
    for (const bucket of cells.values()) if (bucket.xs.length > densest.xs.length) densest = bucket;
    centres.set(c, [median(densest.xs), median(densest.ys)]);
  }
  return centres;
}

/**
 * Which clusters the map names at zoom `k`: the top level at first, one level deeper each time
 * the zoom doubles; inside a selected cluster, its children and then theirs.
 */
export function labelledClusters(
  model: Model,
  k: number,
  selected: VizCluster | undefined,
  partition: string | undefined,
): VizCluster[] {
  const from = selected ? Math.max(0, selected.level - 1) : model.topLevel;
  const level = Math.max(0, from - Math.floor(Math.log2(Math.max(1, k))));
  const inside = (c: VizCluster) =>
    !selected || (c.start >= selected.start && c.start < selected.start + selected.size);
  return model.index.clusters
    .filter(
      (c) =>
        c.level === level && inside(c) && (partition === undefined || c.partition === partition),
    )
    .sort((a, b) => b.size - a.size);
}
