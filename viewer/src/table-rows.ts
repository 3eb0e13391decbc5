import type { ClusterChange, Comparison } from '../../lib/compare/types.js';
import type { VizCluster, VizClusterInsight, VizInsight } from '../../lib/viz/format.js';
import { type ClusterFacetsOf, type FacetMeasure, measureOf } from './facets.js';

/** One cluster as the table shows it; a missing figure is undefined, never zero. */
export interface TableRow {
  readonly cluster: VizCluster;
  readonly name: string;
  readonly level: number;
  readonly size: number;
  /** Of all items, in [0, 1]. */
  readonly share: number;
  /** Percentage points against the previous run; undefined without one. */
  readonly change?: number;
  readonly status?: ClusterChange['status'];
  readonly embeddingFit?: number;
  readonly judgeFit?: number;
  readonly purity?: number;
  /** The facet measure the table is ranked by (see facets.ts), when one is chosen. */
  readonly facet?: number;
}

export type SortKey =
  | 'name'
  | 'level'
  | 'size'
  | 'share'
  | 'change'
  | 'embeddingFit'
  | 'judgeFit'
  | 'purity'
  | 'facet';

export function tableRows(
  clusters: readonly VizCluster[],
  total: number,
  insight: VizInsight | undefined,
  comparison: Comparison | undefined,
  /** The facet measure for the `facet` column, with the clusters' distributions. */
  ranking?: { readonly measure: FacetMeasure; readonly facetsOf: ClusterFacetsOf },
): TableRow[] {
  const ref = (level: number, id: number) => `${level}.${id}`;
  const insights = new Map<string, VizClusterInsight>(
    (insight?.clusters ?? []).map((c) => [ref(c.level, c.id), c]),
  );
  const changes = new Map<string, ClusterChange>();
  for (const level of comparison?.levels ?? []) {
    for (const change of level.changes) {
      if (change.b) changes.set(ref(level.level, change.b.id), change);
    }
  }
  return clusters.map((c) => {
    const change = changes.get(ref(c.level, c.id));
    const purity = insights.get(ref(c.level, c.id))?.purity;
    const judgeFit = c.scores?.hierarchicalFit;
    const facet = ranking && measureOf(c, ranking.measure, ranking.facetsOf);
    return {
      cluster: c,
      name: c.name || `Cluster ${c.id}`,
      level: c.level,
      size: c.size,
      share: total > 0 ? c.size / total : 0,
      ...(change ? { change: change.shareChange, status: change.status } : {}),
      ...(c.scores?.nearestOwn === undefined ? {} : { embeddingFit: c.scores.nearestOwn }),
      ...(judgeFit === undefined || judgeFit === null ? {} : { judgeFit }),
      ...(purity === undefined ? {} : { purity }),
      ...(facet === undefined ? {} : { facet }),
    };
  });
}

/** Missing figures sort last whichever way the column is sorted. */
export function sortRows(rows: readonly TableRow[], key: SortKey, ascending: boolean): TableRow[] {
  const sign = ascending ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    const order = typeof x === 'string' ? x.localeCompare(y as string) : x - (y as number);
    return sign * order || b.size - a.size;
  });
}

/**
 * RFC 4180 quoting; a cell that a spreadsheet would run as a formula (=, +, -, @) gets a leading
 * apostrophe, since names come from a model and from data nobody checked.
 */
export function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function rowsCsv(rows: readonly TableRow[]): string {
  const header = [
    'level',
    'cluster_id',
    'name',
    'partition',
    'size',
    'share',
    'share_change_points',
    'change',
    'embedding_fit',
    'judge_hierarchical_fit',
    'label_purity',
  ];
  const round = (x: number | undefined) => (x === undefined ? undefined : Number(x.toFixed(4)));
  const lines = rows.map((r) =>
    [
      r.level,
      r.cluster.id,
      r.name,
      r.cluster.partition,
      r.size,
      round(r.share),
      round(r.change),
      r.status,
      round(r.embeddingFit),
      round(r.judgeFit),
      round(r.purity),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
