import type { ClusterRecord } from '../output/hierarchy-schema.js';
import { type MatchSide, matchLevel } from './match.js';
import {
  CHANGE_ORDER,
  type ChangeStatus,
  type ClusterChange,
  type ClusterSide,
  COMPARISON_FORMAT,
  type ComparedRun,
  type Comparison,
  type LevelComparison,
} from './types.js';

export interface CompareOptions {
  /** Least change of share, in percentage points, that counts as growing or shrinking. */
  readonly minPoints?: number;
  /** Least relative change of share (1.25 = a quarter more, or a fifth less). */
  readonly minRatio?: number;
}

/**
 * Both thresholds must be passed: points alone would call every big cluster's noise a trend,
 * a ratio alone every tiny cluster's.
 */
export const DEFAULT_THRESHOLDS = { minPoints: 1, minRatio: 1.25 } as const;

export interface LabelledRun extends MatchSide {
  readonly label: string;
}

function describe(run: LabelledRun): ComparedRun {
  const { run: info, items } = run.doc;
  return {
    label: run.label,
    runId: info.runId,
    createdAt: info.createdAt,
    source: info.source,
    items: items.length,
  };
}

function side(cluster: ClusterRecord | undefined, total: number): ClusterSide | null {
  if (!cluster) return null;
  const { id, name, partition, size } = cluster;
  return {
    id,
    key: cluster.key ?? null,
    name,
    partition,
    size,
    share: total > 0 ? size / total : 0,
  };
}

function statusOf(
  a: ClusterSide | null,
  b: ClusterSide | null,
  thresholds: Required<CompareOptions>,
): ChangeStatus {
  return shareStatus(a?.share ?? null, b?.share ?? null, thresholds);
}

/**
 * How a cluster's share of its run's items (null: not in that run) moved from an earlier run to
 * a later one; `compare` and `trends` flag changes by this one rule.
 */
export function shareStatus(
  a: number | null,
  b: number | null,
  thresholds: Required<CompareOptions>,
): ChangeStatus {
  if (a === null) return 'new';
  if (b === null) return 'vanished';
  const points = 100 * (b - a);
  const ratio = a > 0 ? b / a : Number.POSITIVE_INFINITY;
  if (points >= thresholds.minPoints && ratio >= thresholds.minRatio) return 'growing';
  if (-points >= thresholds.minPoints && ratio <= 1 / thresholds.minRatio) return 'shrinking';
  return 'stable';
}

/**
 * What changed from run A to run B, level by level: clusters are paired by key when both carry
 * one, otherwise by the same matching that carries keys over (`matchLevel`); unpaired ones are
 * new or vanished, and paired ones grow or shrink by their share of the run's items (runs of
 * different sizes compare fairly that way).
 */
export function compareRuns(
  a: LabelledRun,
  b: LabelledRun,
  options: CompareOptions = {},
): Comparison {
  const thresholds = {
    minPoints: options.minPoints ?? DEFAULT_THRESHOLDS.minPoints,
    minRatio: options.minRatio ?? DEFAULT_THRESHOLDS.minRatio,
  };
  const totalA = a.doc.items.length;
  const totalB = b.doc.items.length;
  const levelCount = Math.max(a.doc.levels.length, b.doc.levels.length);
  const levels: LevelComparison[] = [];
  for (let level = 0; level < levelCount; level++) {
    const ofLevel = (run: MatchSide) => run.doc.clusters.filter((c) => c.level === level);
    const matches = matchLevel(a, b, level);
    const pairedA = new Set(matches.map((m) => m.a));
    const pairedB = new Set(matches.map((m) => m.b));
    const changes: ClusterChange[] = [
      ...matches.map((m) => ({ a: m.a, b: m.b, matchedBy: m.by, score: m.score })),
      ...ofLevel(a)
        .filter((c) => !pairedA.has(c))
        .map((c) => ({ a: c, b: undefined, matchedBy: null, score: null })),
      ...ofLevel(b)
        .filter((c) => !pairedB.has(c))
        .map((c) => ({ a: undefined, b: c, matchedBy: null, score: null })),
    ].map((pair) => {
      const left = side(pair.a, totalA);
      const right = side(pair.b, totalB);
      return {
        status: statusOf(left, right, thresholds),
        a: left,
        b: right,
        matchedBy: pair.matchedBy,
        score: pair.score === null ? null : Math.round(pair.score * 1000) / 1000,
        shareChange: 100 * ((right?.share ?? 0) - (left?.share ?? 0)),
      };
    });
    changes.sort(
      (x, y) =>
        CHANGE_ORDER.indexOf(x.status) - CHANGE_ORDER.indexOf(y.status) ||
        Math.abs(y.shareChange) - Math.abs(x.shareChange) ||
        (x.b?.id ?? x.a?.id ?? 0) - (y.b?.id ?? y.a?.id ?? 0),
    );
    const counts = Object.fromEntries(CHANGE_ORDER.map((s) => [s, 0])) as Record<
      ChangeStatus,
      number
    >;
    for (const change of changes) counts[change.status]++;
    levels.push({
      level,
      clustersA: ofLevel(a).length,
      clustersB: ofLevel(b).length,
      counts,
      changes,
    });
  }
  return {
    format: COMPARISON_FORMAT,
    a: describe(a),
    b: describe(b),
    thresholds,
    centroids: a.centroids !== undefined && a.centroids.space === b.centroids?.space,
    levels,
  };
}
