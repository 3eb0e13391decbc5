import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { RunSummary } from './history.js';
import { trendsOf } from './trends.js';

export interface AlertThresholds {
  /** Percentage points a share must gain to count as growing. */
  readonly minPoints: number;
  /** …and the factor it must grow by. */
  readonly minRatio: number;
}

export interface AlertedCluster {
  readonly level: number;
  /** Its id in the latest run, for a link to it in the explorer. */
  readonly id: number;
  readonly name: string;
  readonly status: 'new' | 'growing';
  /** Share of the run's items in the run before (0 when new) and in the latest run. */
  readonly before: number;
  readonly now: number;
}

export interface TrendAlert {
  readonly runId: string;
  readonly window: { readonly start: string; readonly end: string } | null;
  readonly clusters: readonly AlertedCluster[];
}

/**
 * The clusters of the latest run that emerged or grew against the run before, at every level, by
 * the same rule as `open-clio trends` (largest share first). Undefined when nothing did or the
 * history holds a single run (a first run is all new, which is no news).
 */
export function trendAlert(
  history: readonly RunSummary[],
  latest: HierarchyDoc,
  thresholds: AlertThresholds,
): TrendAlert | undefined {
  if (history.length < 2 || history.at(-1)?.runId !== latest.run.runId) return undefined;
  const idOf = new Map(latest.clusters.map((c) => [`${c.level}:${c.key}`, c.id]));
  const clusters: AlertedCluster[] = [];
  for (let level = 0; level < latest.levels.length; level++) {
    for (const cluster of trendsOf(history, { level, ...thresholds }).clusters) {
      const id = idOf.get(`${level}:${cluster.key}`);
      if (id === undefined || (cluster.status !== 'new' && cluster.status !== 'growing')) continue;
      const [before = 0, now = 0] = cluster.shares.slice(-2);
      clusters.push({ level, id, name: cluster.name, status: cluster.status, before, now });
    }
  }
  if (clusters.length === 0) return undefined;
  clusters.sort((a, b) => b.now - a.now || b.level - a.level);
  return { runId: latest.run.runId, window: latest.run.window, clusters };
}

/** SNS subjects are at most 100 ASCII characters with no line breaks. */
const SUBJECT_CHARS = 100;

/** A one-line subject for an email: plain ASCII, within SNS's limit. */
export function alertSubject(alert: TrendAlert, configName: string): string {
  const n = alert.clusters.length;
  const subject = `OpenCLIO ${configName}: ${n} cluster${n === 1 ? '' : 's'} new or growing`;
  const ascii = subject.replace(/[^\x20-\x7e]+/g, '?');
  return ascii.length <= SUBJECT_CHARS ? ascii : `${ascii.slice(0, SUBJECT_CHARS - 3)}...`;
}

const percent = (share: number) => `${(share * 100).toFixed(1)}%`;

/** The message body: each cluster's change, with a link into the explorer where it has one. */
export function alertMessage(alert: TrendAlert, explorerUrl?: string): string {
  const window = alert.window ? `${alert.window.start} – ${alert.window.end}` : 'latest run';
  const lines = [`Run ${alert.runId} (${window}), against the run before it:`, ''];
  for (const c of alert.clusters) {
    const change =
      c.status === 'new' ? `new, ${percent(c.now)}` : `${percent(c.before)} → ${percent(c.now)}`;
    lines.push(`- ${c.name} (level ${c.level}): ${change}`);
    if (explorerUrl) {
      const base = explorerUrl.replace(/\/+$/, '');
      lines.push(`  ${base}/#run=${encodeURIComponent(alert.runId)}&c=${c.level}.${c.id}`);
    }
  }
  return lines.join('\n');
}
