import { type CompareOptions, DEFAULT_THRESHOLDS, shareStatus } from '../compare/compare.js';
import { CHANGE_ORDER, type ChangeStatus } from '../compare/types.js';
import type { RunSummary } from './history.js';

/** `top` and `base` follow each run's own levels, so a run with another depth still lines up. */
export type TrendLevel = 'top' | 'base' | number;

export interface TrendOptions extends CompareOptions {
  readonly level?: TrendLevel;
}

export interface TrendRun {
  readonly runId: string;
  readonly createdAt: string;
  readonly window: { readonly start: string; readonly end: string } | null;
  readonly items: number;
}

export interface TrendCluster {
  readonly key: string;
  /** Its name in the latest run that has it. */
  readonly name: string;
  /** One per run, in run order: its part of the run's items in [0, 1], 0 where absent. */
  readonly shares: number[];
  /** One per run: its size, 0 where absent. */
  readonly sizes: number[];
  /**
   * The latest run against the one before, by `compare`'s rule: `new` when the one before lacks
   * it, `vanished` when the latest lacks it (however long ago it went); null with a single run.
   */
  readonly status: ChangeStatus | null;
}

export interface Trends {
  readonly runs: TrendRun[];
  readonly level: TrendLevel;
  readonly thresholds: { readonly minPoints: number; readonly minRatio: number };
  /** Flagged ones first (in `CHANGE_ORDER`), then by the latest share, largest first. */
  readonly clusters: TrendCluster[];
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
