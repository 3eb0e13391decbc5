import { z } from 'zod';
import { meanVector } from '../cluster/vectors.js';
import { vectorFromBase64, vectorToBase64 } from '../embed/cached.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { StoreEntry } from '../store/types.js';
import { ClioError } from '../util/errors.js';
import { hashParts } from '../util/hash.js';

/**
 * `centroids.json`, beside `hierarchy.json`: each cluster's centroid as base64 float32, so later
 * runs can match their clusters to this run's without the contract carrying vectors (a 1,024-d
 * centroid is 5.5 KB of base64; a 100k-item run's few hundred clusters stay a few MB).
 */
export const CENTROIDS_FILE = 'centroids.json';

export const centroidsSchema = z.object({
  format: z.literal(1),
  runId: z.string(),
  /** Items of the document it describes: with `runId`, tells a stale artifact from a current one. */
  items: z.number().int().nonnegative(),
  /**
   * Centroids of two artifacts are comparable only when their spaces are equal: the embedder's id,
   * or that id tied to the run when the embedder fits its vectors to each batch (TF-IDF).
   */
  space: z.string(),
  dimensions: z.number().int().nonnegative(),
  clusters: z.array(
    z.object({
      level: z.number().int().nonnegative(),
      id: z.number().int().nonnegative(),
      centroid: z.string(),
    }),
  ),
  /**
   * Hashes (not the ids themselves) of the items `min_cluster_size` withheld, so `extend` does
   * not mistake them for new items and file them after all.
   */
  withheld: z.array(z.string()).default([]),
});

export type CentroidsFile = z.infer<typeof centroidsSchema>;

/** Centroids by `level:id`, with the space they live in. */
export interface RunCentroids {
  readonly space: string;
  readonly byCluster: ReadonlyMap<string, Float32Array>;
}

export const clusterRef = (level: number, id: number) => `${level}:${id}`;

/**
 * The comparable space of a run's vectors (see `centroidsSchema.space`); `fit` names the one
 * embedding call a contextual embedder was fitted in (a run, or an extension of it).
 */
export function vectorSpace(embedder: string, fit: string, contextual: boolean): string {
  return contextual ? `${embedder}#fit:${fit}` : embedder;
}

/** A withheld item's entry in `CentroidsFile.withheld`. */
export const withheldHash = (id: string) => hashParts('withheld', id).slice(0, 24);

/**
 * Every cluster's centroid from its items' vectors (`vectorOf` by item id), so the centroids
 * describe exactly the items the document shows (withheld ones excluded).
 */
export function clusterCentroids(
  doc: HierarchyDoc,
  vectorOf: (id: string) => Float32Array | undefined,
): Map<string, Float32Array> {
  const vectors: Float32Array[] = [];
  const members = new Map<string, number[]>();
  for (const item of doc.items) {
    const vector = vectorOf(item.id);
    if (!vector) continue;
    const at = vectors.push(vector) - 1;
    item.path.forEach((id, level) => {
      const ref = clusterRef(level, id);
      const list = members.get(ref);
      if (list) list.push(at);
      else members.set(ref, [at]);
    });
  }
  const centroids = new Map<string, Float32Array>();
  for (const [ref, list] of members) centroids.set(ref, meanVector(vectors, list));
  return centroids;
}

export function centroidsFile(
  doc: HierarchyDoc,
  centroids: RunCentroids,
  withheld: readonly string[],
): CentroidsFile {
  const clusters = doc.clusters.flatMap((c) => {
    const vector = centroids.byCluster.get(clusterRef(c.level, c.id));
    return vector ? [{ level: c.level, id: c.id, centroid: vectorToBase64(vector) }] : [];
  });
  const first = centroids.byCluster.values().next().value;
  return {
    format: 1,
    runId: doc.run.runId,
    items: doc.items.length,
    space: centroids.space,
    dimensions: first?.length ?? 0,
    clusters,
    withheld: [...withheld],
  };
}

/** Whether an artifact describes this very document (not an earlier run or state of the folder). */
export const centroidsMatch = (file: CentroidsFile, doc: HierarchyDoc) =>
  file.runId === doc.run.runId && file.items === doc.items.length;

export function parseCentroids(file: CentroidsFile): RunCentroids {
  return {
    space: file.space,
    byCluster: new Map(
      file.clusters.map((c) => [clusterRef(c.level, c.id), vectorFromBase64(c.centroid)]),
    ),
  };
}

/** The artifact to write beside the run's `hierarchy.json`. */
export const centroidsOutput = (file: CentroidsFile): StoreEntry => [
  CENTROIDS_FILE,
  JSON.stringify(file),
];

/** The artifact beside a run, or undefined for runs made before it existed. */
export async function readCentroids(
  read: (key: string) => Promise<string | undefined>,
  where: string,
): Promise<CentroidsFile | undefined> {
  const text = await read(CENTROIDS_FILE);
  if (text === undefined) return undefined;
  const parsed = centroidsSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ClioError(`${where}/${CENTROIDS_FILE} is not readable: ${parsed.error.message}`);
  }
  return parsed.data;
}
