import type { SummarizedItem } from '../pipeline/types.js';
import { indicesByLabel } from '../util/group-by.js';
import { allocateClusters } from './allocate.js';
import { HYBRID_MAX_ITEMS, hybridVectors } from './hybrid-vectors.js';
import { kmeans } from './kmeans.js';
import type { Level } from './types.js';
import { meanVector } from './vectors.js';

/**
 * The base level: k-means within each partition, the requested count shared among partitions by
 * size. Clusters are numbered partition by partition, larger clusters first. With `hybrid`,
 * k-means runs on `hybridVectors` of each partition's summaries, fitted within the partition;
 * centroids are always the means of the items' own vectors.
 */
export async function clusterBaseLevel(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  options: {
    readonly k: number;
    readonly seed: number;
    readonly threads?: number;
    readonly hybrid?: boolean;
    /** Told when a partition is too large for hybrid vectors and is clustered on embeddings. */
    readonly warn?: (message: string) => void;
  },
): Promise<Level> {
  const groups = [...indicesByLabel(items.map((item) => item.partition))];
  const counts = allocateClusters(
    groups.map(([, indices]) => indices.length),
    options.k,
  );
  const level: Level = [];
  for (const [g, [partition, indices]] of groups.entries()) {
    const k = counts[g] ?? 1;
    const own = indices.map((i) => vectors[i] as Float32Array);
    const tooLarge = indices.length > HYBRID_MAX_ITEMS;
    if (options.hybrid && k > 1 && tooLarge) {
      options.warn?.(
        `level 0: partition "${partition}" has ${indices.length} items, more than ${HYBRID_MAX_ITEMS} for hybrid vectors (cluster_vectors), so it was clustered on the embeddings alone`,
      );
    }
    const clusterOn =
      options.hybrid && k > 1 && !tooLarge
        ? await hybridVectors(
            indices.map((i) => items[i]?.summary ?? ''),
            own,
            { seed: options.seed },
          )
        : own;
    const result =
      k <= 1
        ? { assignments: new Int32Array(indices.length) }
        : await kmeans(clusterOn, {
            k,
            seed: options.seed,
            ...(options.threads ? { threads: options.threads } : {}),
          });
    const members = [...indicesByLabel(result.assignments).values()].map((local) =>
      local.map((j) => indices[j] as number),
    );
    const ordered = members.sort(
      (a, b) => b.length - a.length || (a[0] as number) - (b[0] as number),
    );
    for (const itemIndices of ordered) {
      level.push({
        level: 0,
        id: level.length,
        name: '',
        description: '',
        partition,
        children: [],
        itemIndices,
        centroid: meanVector(vectors, itemIndices),
      });
    }
  }
  return level;
}
