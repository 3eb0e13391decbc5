import type { ChangeStatus } from '../../lib/compare/types.js';
import type { TrendCluster, TrendRun, Trends } from '../../lib/trends/types.js';

export type TrendSort = 'latest' | 'change';

/** A cluster's row in the Trends view. */
export interface TrendRow extends TrendCluster {
  /** Its share of the latest run's items, in [0, 1]. */
  readonly latest: number;
  /** Latest share minus the one before, in percentage points (0 with a single run). */
  readonly change: number;
}

/** What the badge says; unchanged clusters get none. */
export const STATUS_LABELS: Readonly<Record<ChangeStatus, string | null>> = {
  new: 'new',
  growing: 'growing',
  shrinking: 'shrinking',
  vanished: 'gone',
  stable: null,
};

/**
 * The clusters sorted by their latest share or by how far it moved since the run before (either
 * way, largest first), ties kept in the order `trendsOf` gave: flagged ones first.
 */
export function trendRows(trends: Trends, sort: TrendSort): TrendRow[] {
  const last = trends.runs.length - 1;
  const rows = trends.clusters.map((cluster): TrendRow => {
    const latest = cluster.shares[last] ?? 0;
    const before = last > 0 ? (cluster.shares[last - 1] ?? 0) : latest;
    return { ...cluster, latest, change: (latest - before) * 100 };
  });
  const by =
    sort === 'latest' ? (row: TrendRow) => row.latest : (row: TrendRow) => Math.abs(row.change);
  // Array.prototype.sort is stable, so equal rows keep trendsOf's order.
  return rows.sort((a, b) => by(b) - by(a));
}

/** A share as the explorer prints it: one decimal, a dash where the cluster is absent. */
export const shareText = (share: number, size: number) =>
  size > 0 ? `${(share * 100).toFixed(1)}%` : '–';

/** A run as the x axis names it: its time window where it has one, else when it ran. */
export function runLabel(run: TrendRun): string {
  if (run.window) return `${day(run.window.start)} – ${day(run.window.end)}`;
  const date = new Date(run.createdAt);
  return Number.isNaN(date.getTime())
    ? run.createdAt
    : date.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
}

function day(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' });
}

export interface SparkBox {
  readonly width: number;
  readonly height: number;
  /** Room kept around the line so a point's dot is not clipped. */
  readonly pad: number;
}

/**
 * Where each run's share sits in a sparkline: runs evenly across, 0 at the bottom and `top`
 * (the largest share the line is drawn against) at the top.
 */
export function sparkPoints(
  shares: readonly number[],
  top: number,
  box: SparkBox,
): { x: number; y: number }[] {
  const { width, height, pad } = box;
  const span = width - 2 * pad;
  const step = shares.length > 1 ? span / (shares.length - 1) : 0;
  const scale = top > 0 ? (height - 2 * pad) / top : 0;
  return shares.map((share, r) => ({
    x: shares.length > 1 ? pad + r * step : width / 2,
    y: height - pad - share * scale,
  }));
}

/**
 * The run a click on a cluster's name opens: the latest that has it and that the explorer still
 * keeps, else the latest that has it (which then says it is no longer kept).
 */
export function runToOpen(
  row: TrendCluster,
  runs: readonly TrendRun[],
  shown: Readonly<Record<string, string>>,
): number {
  const present = (r: number) => (row.sizes[r] ?? 0) > 0;
  const kept = (r: number) => shown[runs[r]?.runId ?? ''] !== undefined;
  const all = runs.map((_, r) => r);
  return all.findLast((r) => present(r) && kept(r)) ?? all.findLast(present) ?? runs.length - 1;
}
