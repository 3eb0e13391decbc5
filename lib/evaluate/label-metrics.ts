/**
 * Agreement between a clustering and ground-truth labels: normalized mutual information (NMI,
 * arithmetic-mean normalisation as scikit-learn's default), adjusted Rand index (ARI) and purity.
 */

export interface LabelScores {
  readonly nmi: number;
  readonly ari: number;
  readonly purity: number;
}

function contingency(labels: readonly string[], clusters: readonly (string | number)[]) {
  if (labels.length !== clusters.length) throw new Error('labels and clusters differ in length');
  const table = new Map<string, Map<string, number>>();
  const labelTotals = new Map<string, number>();
  const clusterTotals = new Map<string, number>();
  labels.forEach((label, i) => {
    const cluster = String(clusters[i]);
    const row = table.get(cluster) ?? new Map<string, number>();
    row.set(label, (row.get(label) ?? 0) + 1);
    table.set(cluster, row);
    labelTotals.set(label, (labelTotals.get(label) ?? 0) + 1);
    clusterTotals.set(cluster, (clusterTotals.get(cluster) ?? 0) + 1);
  });
  return { table, labelTotals, clusterTotals };
}

const entropy = (totals: Iterable<number>, n: number) => {
  let h = 0;
  for (const c of totals) if (c > 0) h -= (c / n) * Math.log(c / n);
  return h;
};

const pairs = (x: number) => (x * (x - 1)) / 2;

export function labelScores(
  labels: readonly string[],
  clusters: readonly (string | number)[],
): LabelScores {
  const n = labels.length;
  if (n === 0) return { nmi: 0, ari: 0, purity: 0 };
  const { table, labelTotals, clusterTotals } = contingency(labels, clusters);

  let mutual = 0;
  let majority = 0;
  let pairSum = 0;
  for (const [cluster, row] of table) {
    let best = 0;
    for (const [label, count] of row) {
      const expected = ((clusterTotals.get(cluster) ?? 0) * (labelTotals.get(label) ?? 0)) / n;
      mutual += (count / n) * Math.log(count / expected);
      best = Math.max(best, count);
      pairSum += pairs(count);
    }
    majority += best;
  }
  const hLabels = entropy(labelTotals.values(), n);
  const hClusters = entropy(clusterTotals.values(), n);
  const denominator = (hLabels + hClusters) / 2;
  // Both partitions trivial (one class, one cluster): they agree perfectly.
  const nmi = denominator === 0 ? 1 : Math.max(0, mutual) / denominator;

  const labelPairs = [...labelTotals.values()].reduce((s, c) => s + pairs(c), 0);
  const clusterPairs = [...clusterTotals.values()].reduce((s, c) => s + pairs(c), 0);
  const expectedIndex = (labelPairs * clusterPairs) / pairs(n);
  const maxIndex = (labelPairs + clusterPairs) / 2;
  const ari =
    maxIndex === expectedIndex ? 1 : (pairSum - expectedIndex) / (maxIndex - expectedIndex);

  return { nmi, ari, purity: majority / n };
}
