import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { groupBy } from '../util/group-by.js';
import { type LabelScores, labelScores } from './label-metrics.js';

export interface LevelLabelReport extends LabelScores {
  readonly level: number;
  readonly clusters: number;
  /** Per cluster: its most common label and that label's share of the cluster. */
  readonly confusion: readonly {
    cluster: number;
    size: number;
    topLabel: string;
    topShare: number;
    labels: number;
  }[];
  /** Per label: the cluster holding most of it and the share it holds. */
  readonly labelSpread: readonly {
    label: string;
    size: number;
    mainCluster: number;
    mainShare: number;
    clusters: number;
  }[];
}

function tally(values: readonly string[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Agreement of every level with the items' ground-truth labels; undefined when none has one. */
export function labelReport(doc: HierarchyDoc): LevelLabelReport[] | undefined {
  const labelled = doc.items.filter((item) => item.label !== undefined);
  if (labelled.length === 0) return undefined;
  return doc.levels.map(({ level, count }) => {
    const clusterOf = (item: (typeof labelled)[number]) => item.path[level] as number;
    const scores = labelScores(
      labelled.map((i) => i.label as string),
      labelled.map(clusterOf),
    );
    const byCluster = groupBy(labelled, clusterOf);
    const byLabel = groupBy(labelled, (i) => i.label as string);
    return {
      level,
      clusters: count,
      ...scores,
      confusion: [...byCluster]
        .map(([cluster, items]) => {
          const counts = tally(items.map((i) => i.label as string));
          const [topLabel = '', top = 0] = counts[0] ?? [];
          return {
            cluster,
            size: items.length,
            topLabel,
            topShare: top / items.length,
            labels: counts.length,
          };
        })
        .sort((a, b) => a.cluster - b.cluster),
      labelSpread: [...byLabel]
        .map(([label, items]) => {
          const counts = tally(items.map((i) => String(clusterOf(i))));
          const [main = '0', top = 0] = counts[0] ?? [];
          return {
            label,
            size: items.length,
            mainCluster: Number(main),
            mainShare: top / items.length,
            clusters: counts.length,
          };
        })
        .sort((a, b) => b.size - a.size),
    };
  });
}
