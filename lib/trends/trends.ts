import { type CompareOptions, DEFAULT_THRESHOLDS, shareStatus } from '../compare/compare.js';
import { CHANGE_ORDER } from '../compare/types.js';
import type { RunSummary } from './history.js';
import type { TrendCluster, TrendLevel, Trends } from './types.js';

export type { TrendCluster, TrendLevel, TrendRun, Trends } from './types.js';

export interface TrendOptions extends CompareOptions {
  readonly level?: TrendLevel;
}

function levelOf(run: RunSummary, level: TrendLevel): number {
  if (level === 'base') return 0;
  if (level === 'top') return run.levels.length - 1;
  return level;
}

/** Each cluster's share of each run's items at one level, joined across runs by stable key. */
export function trendsOf(runs: readonly RunSummary[], options: TrendOptions = {}): Trends {
  const level = options.level ?? 'top';
  const thresholds = {
    minPoints: options.minPoints ?? DEFAULT_THRESHOLDS.minPoints,
    minRatio: options.minRatio ?? DEFAULT_THRESHOLDS.minRatio,
  };
  const byKey = new Map<string, { name: string; sizes: number[]; present: boolean[] }>();
  runs.forEach((run, r) => {
    const at = levelOf(run, level);
    for (const cluster of run.clusters) {
      if (cluster.level !== at) continue;
      let row = byKey.get(cluster.key);
      if (!row) {
        row = {
          name: cluster.name,
          sizes: runs.map(() => 0),
          present: runs.map(() => false),
        };
        byKey.set(cluster.key, row);
      }
      row.name = cluster.name;
      row.sizes[r] = (row.sizes[r] ?? 0) + cluster.size;
      row.present[r] = true;
    }
  });
  const last = runs.length - 1;
  const clusters = [...byKey].map(([key, row]): TrendCluster => {
    const shares = row.sizes.map((size, r) => {
      const items = runs[r]?.items ?? 0;
      return items > 0 ? size / items : 0;
    });
    const shareIn = (r: number) => (row.present[r] ? (shares[r] ?? 0) : null);
    const status =
      last < 1
        ? null
        : row.present[last]
          ? shareStatus(shareIn(last - 1), shareIn(last), thresholds)
          : 'vanished';
    return { key, name: row.name, shares, sizes: row.sizes, status };
  });
  const rank = (c: TrendCluster) => (c.status === null ? 0 : CHANGE_ORDER.indexOf(c.status));
  clusters.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (b.shares[last] ?? 0) - (a.shares[last] ?? 0) ||
      a.key.localeCompare(b.key),
  );
  return {
    runs: runs.map((r) => ({
      runId: r.runId,
      createdAt: r.createdAt,
      window: r.window,
      items: r.items,
    })),
    level,
    thresholds,
    clusters,
  };
}
