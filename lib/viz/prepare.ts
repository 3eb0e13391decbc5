import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { RunCentroids } from '../compare/centroids.js';
import { withDerivedKeys } from '../compare/keys.js';
import { EVALUATION_FILES } from '../evaluate/evaluate.js';
import {
  type ClusterRecord,
  type HierarchyDoc,
  hierarchySchema,
  type ItemRecord,
} from '../output/hierarchy-schema.js';
import { lazyInsight, readRunCentroids } from './cluster-insight.js';
import { facetColumn, facetsOf } from './facet-columns.js';
import {
  MAX_INDEX_FAILURES,
  MEMBER_PAGE_ITEMS,
  VIZ_FORMAT,
  type VizCluster,
  type VizClusterFacets,
  type VizClusterScores,
  type VizIndex,
  type VizItem,
  type VizPartition,
  type VizSearchShard,
  vizPaths,
} from './format.js';

/** One page of members (50 items with 600-character previews: about 35 KB, 8 KB compressed). */
export const CHUNK_ITEMS = MEMBER_PAGE_ITEMS;
/** Summaries only, so 10k of them are about 1.5 MB: search streams shard after shard. */
export const SEARCH_SHARD_ITEMS = 10_000;

/** A run ready for the explorer: the index plus the items in member order (see format.ts). */
export interface VizData {
  readonly index: VizIndex;
  readonly items: readonly ItemRecord[];
  readonly points: Uint8Array | null;
  /** The body of `insight.json`, made on first call. */
  readonly insight: () => string;
  /** Every cluster's facet distributions; null for runs made before facets. */
  readonly clusterFacets: VizClusterFacets | null;
}

export interface PrepareOptions {
  readonly chunkSize?: number;
  readonly searchShardSize?: number;
  /** Scores from `open-clio evaluate`, shown on each cluster's page. */
  readonly evaluation?: EvaluationScores | undefined;
  /** The run's cluster centroids, for each cluster's nearest ones. */
  readonly centroids?: RunCentroids | undefined;
}

const judgedScore = z.object({ score: z.number().nullable(), judged: z.number() });

/** The parts of `evaluation.json` the explorer shows; the rest of the file is not read. */
export const evaluationScoresSchema = z.object({
  runId: z.string(),
  fit: z.array(
    z.object({
      level: z.number(),
      clusters: z.array(
        z.object({ id: z.number(), nearestOwn: z.number(), meanMargin: z.number() }),
      ),
    }),
  ),
  judge: z
    .object({
      clusters: z
        .array(
          z.object({
            level: z.number(),
            id: z.number(),
            items: z.number(),
            hierarchicalFit: judgedScore,
            bestFit: judgedScore.optional(),
            exclusiveFit: judgedScore.optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
export type EvaluationScores = z.infer<typeof evaluationScoresSchema>;

/** The run's `hierarchy.json` prepared, with the scores of an `evaluation.json` beside it. */
export async function loadVizData(file: string): Promise<VizData> {
  const doc = hierarchySchema.parse(JSON.parse(await readFile(file, 'utf8')));
  let evaluation: EvaluationScores | undefined;
  try {
    const text = await readFile(join(dirname(file), EVALUATION_FILES.json), 'utf8');
    evaluation = evaluationScoresSchema.parse(JSON.parse(text));
  } catch {
    // No evaluation, or one this version cannot read: the explorer simply shows no scores.
  }
  // Scores of an earlier run in the same folder would be about other clusters.
  return prepareVizData(doc, {
    evaluation: evaluation?.runId === doc.run.runId ? evaluation : undefined,
    centroids: await readRunCentroids(dirname(file), doc),
  });
}

function clusterScores(evaluation: EvaluationScores | undefined): Map<string, VizClusterScores> {
  const scores = new Map<string, VizClusterScores>();
  for (const fit of evaluation?.fit ?? []) {
    for (const c of fit.clusters) {
      scores.set(key(fit.level, c.id), { nearestOwn: c.nearestOwn, meanMargin: c.meanMargin });
    }
  }
  for (const c of evaluation?.judge?.clusters ?? []) {
    const k = key(c.level, c.id);
    scores.set(k, {
      ...scores.get(k),
      judged: c.items,
      hierarchicalFit: c.hierarchicalFit.score,
      ...(c.bestFit ? { bestFit: c.bestFit.score } : {}),
      ...(c.exclusiveFit ? { exclusiveFit: c.exclusiveFit.score } : {}),
    });
  }
  return scores;
}

const key = (level: number, id: number) => `${level}:${id}`;
const bySize = (a: ClusterRecord, b: ClusterRecord) => b.size - a.size || a.id - b.id;

/**
 * Turns a `hierarchy.json` document into the explorer's files: a compact index for the first
 * screen and lazily fetched item chunks, search shards and map points. A plain function of the
 * document, so the local server and a static publisher produce the same bytes.
 */
export function prepareVizData(doc: HierarchyDoc, options: PrepareOptions = {}): VizData {
  const chunkSize = options.chunkSize ?? CHUNK_ITEMS;
  const searchShardSize = options.searchShardSize ?? SEARCH_SHARD_ITEMS;
  // Keys as the history derives them for runs made before keys, so trends can link to a cluster.
  const { clusters: keyedClusters } = withDerivedKeys(doc);
  const records = new Map(keyedClusters.map((c) => [key(c.level, c.id), c]));
  const scores = clusterScores(options.evaluation);
  const itemsOfBase = new Map<number, ItemRecord[]>();
  for (const item of doc.items) {
    const base = item.path[0] ?? -1;
    const list = itemsOfBase.get(base);
    if (list) list.push(item);
    else itemsOfBase.set(base, [item]);
  }

  const ordered: ItemRecord[] = [];
  const placed = new Map<string, VizCluster>();
  const visit = (cluster: ClusterRecord) => {
    if (placed.has(key(cluster.level, cluster.id))) return;
    const start = ordered.length;
    const children = cluster.children
      .map((id) => records.get(key(cluster.level - 1, id)))
      .filter((c): c is ClusterRecord => c !== undefined)
      .sort(bySize);
    if (cluster.level === 0) ordered.push(...(itemsOfBase.get(cluster.id) ?? []));
    else for (const child of children) visit(child);
    placed.set(key(cluster.level, cluster.id), {
      level: cluster.level,
      id: cluster.id,
      ...(cluster.key === undefined ? {} : { key: cluster.key }),
      name: cluster.name,
      description: cluster.description,
      size: ordered.length - start,
      partition: cluster.partition,
      parent: cluster.parent,
      children: children.map((c) => c.id),
      start,
      ...(scores.has(key(cluster.level, cluster.id))
        ? { scores: scores.get(key(cluster.level, cluster.id)) }
        : {}),
    });
  };
  // Top level first; anything a broken parent link left unreached still gets a place after it.
  const levelsDown = [...keyedClusters].sort((a, b) => b.level - a.level || bySize(a, b));
  for (const cluster of levelsDown) if (cluster.parent === null) visit(cluster);
  for (const cluster of levelsDown) visit(cluster);
  const lost = doc.items.filter((item) => !records.has(key(0, item.path[0] ?? -1)));
  ordered.push(...lost);

  const facets = facetsOf(ordered);
  const clusters = [...placed.values()]
    .filter((c) => c.size > 0)
    .sort((a, b) => a.level - b.level || a.start - b.start);
  const index: VizIndex = {
    format: VIZ_FORMAT,
    run: { ...doc.run, failures: doc.run.failures.slice(0, MAX_INDEX_FAILURES) },
    failureCount: doc.run.failures.length,
    levels: doc.levels,
    clusters,
    partitions: partitionsOf(doc, ordered),
    items: ordered.length,
    chunkSize,
    searchShardSize,
    labelled: ordered.some((item) => item.label !== undefined),
    map:
      doc.map && ordered.length > 0 && ordered.every((item) => item.xy)
        ? { ...doc.map, file: vizPaths.points }
        : null,
    ...(facets.length > 0 ? { facets } : {}),
  };
  return {
    index,
    items: ordered,
    points: index.map ? pointsOf(ordered) : null,
    insight: lazyInsight(clusters, ordered, options.centroids),
    clusterFacets: facets.length > 0 ? clusterFacetsOf(doc.clusters) : null,
  };
}

/** The body of one file of a prepared run, or undefined when there is no such file. */
export function vizFile(data: VizData, path: string): string | Uint8Array | undefined {
  const { index, items } = data;
  if (path === vizPaths.index) return JSON.stringify(index);
  if (path === vizPaths.points) return data.points ?? undefined;
  if (path === vizPaths.insight) return data.insight();
  if (path === vizPaths.clusterFacets) {
    return data.clusterFacets ? JSON.stringify(data.clusterFacets) : undefined;
  }
  const facet = /^facets\/(\d{1,4})\.json$/.exec(path);
  if (facet) {
    const spec = index.facets?.[Number(facet[1])];
    return spec && JSON.stringify(facetColumn(spec, items));
  }
  const match = /^(items|search)\/(\d{1,9})\.json$/.exec(path);
  if (!match) return undefined;
  const k = Number(match[2]);
  const size = match[1] === 'items' ? index.chunkSize : index.searchShardSize;
  if (k * size >= items.length) return undefined;
  const slice = items.slice(k * size, (k + 1) * size);
  if (match[1] === 'items') return JSON.stringify(slice.map(toVizItem));
  const shard: VizSearchShard = {
    ids: slice.map((item) => item.id),
    summaries: slice.map((item) => item.summary),
  };
  return JSON.stringify(shard);
}

/** Every file of a prepared run, for a publisher that uploads them all. */
export function vizFilePaths(data: VizData): string[] {
  const { index } = data;
  const count = (size: number) => Math.ceil(index.items / size);
  return [
    vizPaths.index,
    ...(data.points ? [vizPaths.points] : []),
    vizPaths.insight,
    ...(index.facets ?? []).map((_, k) => vizPaths.facet(k)),
    ...(data.clusterFacets ? [vizPaths.clusterFacets] : []),
    ...Array.from({ length: count(index.chunkSize) }, (_, k) => vizPaths.chunk(k)),
    ...Array.from({ length: count(index.searchShardSize) }, (_, k) => vizPaths.search(k)),
  ];
}

function toVizItem(item: ItemRecord): VizItem {
  return {
    id: item.id,
    summary: item.summary,
    partition: item.partition,
    ...(item.label === undefined ? {} : { label: item.label }),
    preview: item.preview,
    ...(item.facets && Object.keys(item.facets).length > 0 ? { facets: item.facets } : {}),
  };
}

function clusterFacetsOf(clusters: readonly ClusterRecord[]): VizClusterFacets {
  return {
    format: VIZ_FORMAT,
    clusters: Object.fromEntries(
      clusters.flatMap((c) => (c.facets ? [[`${c.level}.${c.id}`, c.facets]] : [])),
    ),
  };
}

function partitionsOf(doc: HierarchyDoc, items: readonly ItemRecord[]): VizPartition[] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.partition, (counts.get(item.partition) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([name, items]) => ({ name, description: doc.run.partitions?.[name] ?? '', items }));
}

function pointsOf(items: readonly ItemRecord[]): Uint8Array {
  const bytes = new Uint8Array(items.length * 4);
  const view = new DataView(bytes.buffer);
  const quantize = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 65535);
  items.forEach((item, i) => {
    const [x = 0, y = 0] = item.xy ?? [];
    view.setUint16(4 * i, quantize(x), true);
    view.setUint16(4 * i + 2, quantize(y), true);
  });
  return bytes;
}
