import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { distinctiveTerms } from '../cluster/keywords.js';
import { dot } from '../cluster/vectors.js';
import {
  CENTROIDS_FILE,
  centroidsMatch,
  centroidsSchema,
  clusterRef,
  parseCentroids,
  type RunCentroids,
} from '../compare/centroids.js';
import { tokenize } from '../embed/tokenize.js';
import { labelScores } from '../evaluate/label-metrics.js';
import type { HierarchyDoc, ItemRecord } from '../output/hierarchy-schema.js';
import {
  VIZ_FORMAT,
  type VizCluster,
  type VizClusterInsight,
  type VizInsight,
  type VizLabelCount,
  type VizLevelAgreement,
  type VizNeighbour,
  type VizTerm,
} from './format.js';

export const INSIGHT_TERMS = 8;
export const NEAREST_CLUSTERS = 5;
/** Labels listed per cluster; the rest are summed as `otherLabels`. */
export const LABELS_LISTED = 5;

/**
 * The `centroids.json` beside a run's `hierarchy.json`, when it describes this very run: the
 * explorer's "nearest clusters" are only honest in the space the run was clustered in.
 */
export async function readRunCentroids(
  folder: string,
  doc: HierarchyDoc,
): Promise<RunCentroids | undefined> {
  try {
    const file = centroidsSchema.parse(
      JSON.parse(await readFile(join(folder, CENTROIDS_FILE), 'utf8')),
    );
    return centroidsMatch(file, doc) ? parseCentroids(file) : undefined;
  } catch {
    // Runs made before centroids, or a file this version cannot read: no nearest clusters.
    return undefined;
  }
}

/**
 * Why each cluster is one, for the explorer's panel and table: its distinctive terms (chosen by
 * `distinctiveTerms`, weighted by how many members use them against the rest of the level), the
 * most similar clusters of its level by centroid, and its label mix when items carry labels.
 * `items` are in member order, so each cluster is the range [start, start + size).
 */
export function clusterInsight(
  clusters: readonly VizCluster[],
  items: readonly ItemRecord[],
  centroids?: RunCentroids,
): VizInsight {
  const levels = new Map<number, VizCluster[]>();
  for (const c of clusters) levels.set(c.level, [...(levels.get(c.level) ?? []), c]);
  const byLevel = [...levels].sort((a, b) => a[0] - b[0]);
  const chosen = byLevel.map(([, own]) =>
    distinctiveTerms(
      own.map((c) => termSample(c, own.length).map((p) => (items[p] as ItemRecord).summary)),
      INSIGHT_TERMS,
    ),
  );
  const usage = termUsage(items, new Set(chosen.flat(2)));
  const labelled = items.some((item) => item.label !== undefined);
  const out: VizClusterInsight[] = [];
  const agreement: VizLevelAgreement[] = [];
  byLevel.forEach(([level, own], l) => {
    const weights = termWeights(own, usage, chosen[l] ?? []);
    const nearest = centroids ? nearestClusters(own, centroids) : undefined;
    own.forEach((c, i) => {
      out.push({
        level,
        id: c.id,
        terms: weights[i] ?? [],
        nearest: nearest?.[i] ?? [],
        ...(labelled ? labelMix(items.slice(c.start, c.start + c.size)) : {}),
      });
    });
    if (labelled) agreement.push({ level, ...levelAgreement(own, items) });
  });
  return { format: VIZ_FORMAT, similarity: centroids !== undefined, clusters: out, agreement };
}

/**
 * Class-based TF-IDF over every member costs seconds per level at 100k items, so terms are
 * chosen from about this many members per level, spread evenly over each cluster; the weights
 * shown are still counted over every member.
 */
export const TERM_SAMPLE_PER_LEVEL = 10_000;
const MIN_SAMPLE_PER_CLUSTER = 30;

function termSample(c: VizCluster, clustersInLevel: number): number[] {
  const take = Math.min(
    c.size,
    Math.max(MIN_SAMPLE_PER_CLUSTER, Math.floor(TERM_SAMPLE_PER_LEVEL / clustersInLevel)),
  );
  return Array.from({ length: take }, (_, k) => c.start + Math.floor((k * c.size) / take));
}

/** Per item (member order), which of the `wanted` terms its summary uses. */
function termUsage(items: readonly ItemRecord[], wanted: ReadonlySet<string>): string[][] {
  return items.map((item) => [...new Set(tokenize(item.summary))].filter((t) => wanted.has(t)));
}

/** Per cluster, its chosen terms with the share of its members and of the level's rest using each. */
function termWeights(
  own: readonly VizCluster[],
  usage: readonly (readonly string[])[],
  chosen: readonly (readonly string[])[],
): VizTerm[][] {
  const perCluster = own.map((c) => {
    const counts = new Map<string, number>();
    for (let p = c.start; p < c.start + c.size; p++) {
      for (const t of usage[p] ?? []) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    return counts;
  });
  const levelCounts = new Map<string, number>();
  for (const counts of perCluster) {
    for (const [t, n] of counts) levelCounts.set(t, (levelCounts.get(t) ?? 0) + n);
  }
  const levelSize = own.reduce((sum, c) => sum + c.size, 0);
  return own.map((c, i) =>
    (chosen[i] ?? []).map((term) => {
      const here = perCluster[i]?.get(term) ?? 0;
      const rest = levelSize - c.size;
      return {
        term,
        share: here / c.size,
        elsewhere: rest > 0 ? ((levelCounts.get(term) ?? 0) - here) / rest : 0,
      };
    }),
  );
}

function nearestClusters(own: readonly VizCluster[], centroids: RunCentroids): VizNeighbour[][] {
  const vectors = own.map((c) => centroids.byCluster.get(clusterRef(c.level, c.id)));
  const norms = vectors.map((v) => (v ? Math.sqrt(dot(v, v)) : 0));
  return own.map((_, i) => {
    const a = vectors[i];
    if (!a || !norms[i]) return [];
    const scored: VizNeighbour[] = [];
    own.forEach((other, j) => {
      const b = vectors[j];
      if (j === i || !b || !norms[j] || b.length !== a.length) return;
      scored.push({ id: other.id, similarity: dot(a, b) / ((norms[i] ?? 1) * (norms[j] ?? 1)) });
    });
    return scored
      .sort((x, y) => y.similarity - x.similarity || x.id - y.id)
      .slice(0, NEAREST_CLUSTERS);
  });
}

/** An item without a label counts under the empty label, so the shares add up to the cluster. */
function labelMix(members: readonly ItemRecord[]) {
  const counts = new Map<string, number>();
  for (const item of members) counts.set(item.label ?? '', (counts.get(item.label ?? '') ?? 0) + 1);
  const sorted: VizLabelCount[] = [...counts]
    .map(([label, count]) => ({ label, count }))
    .sort((a, b) => b.count - a.count || (a.label < b.label ? -1 : 1));
  const listed = sorted.slice(0, LABELS_LISTED);
  const others = sorted.slice(LABELS_LISTED).reduce((sum, l) => sum + l.count, 0);
  return {
    labels: listed,
    ...(others > 0 ? { otherLabels: others } : {}),
    purity: members.length > 0 ? (sorted[0]?.count ?? 0) / members.length : 0,
  };
}

function levelAgreement(own: readonly VizCluster[], items: readonly ItemRecord[]) {
  const labels: string[] = [];
  const ids: number[] = [];
  for (const c of own) {
    for (let p = c.start; p < c.start + c.size; p++) {
      const label = (items[p] as ItemRecord).label;
      if (label === undefined) continue;
      labels.push(label);
      ids.push(c.id);
    }
  }
  return labelScores(labels, ids);
}

/** Made on the first request of `insight.json` only, so preparing a run stays as fast as before. */
export function lazyInsight(
  clusters: readonly VizCluster[],
  items: readonly ItemRecord[],
  centroids?: RunCentroids,
): () => string {
  let body: string | undefined;
  return () => {
    body ??= JSON.stringify(clusterInsight(clusters, items, centroids));
    return body;
  };
}
