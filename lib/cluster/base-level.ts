import type { SummarizedItem } from '../pipeline/types.js';
import { allocateClusters } from './allocate.js';
import { kmeans } from './kmeans.js';
import type { Level } from './types.js';
import { meanVector } from './vectors.js';

/** Item indices grouped by partition, partitions in first-seen order. */
export function indicesByPartition(items: readonly SummarizedItem[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  items.forEach((item, index) => {
    const group = groups.get(item.partition);
    if (group) group.push(index);
    else groups.set(item.partition, [index]);
  });
  return groups;
}

/**
 * The base level: k-means within each partition, the requested count shared among partitions by
 * size. Clusters are numbered partition by partition, larger clusters first.
 */
export async function clusterBaseLevel(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  options: { readonly k: number; readonly seed: number; readonly threads?: number },
): Promise<Level> {
  const groups = [...indicesByPartition(items)];
  const counts = allocateClusters(
    groups.map(([, indices]) => indices.length),
    options.k,
  );
  const level: Level = [];
  for (const [g, [partition, indices]] of groups.entries()) {
    const k = counts[g] ?? 1;
    const result =
      k <= 1
        ? { assignments: new Int32Array(indices.length) }
        : await kmeans(
            indices.map((i) => vectors[i] as Float32Array),
            { k, seed: options.seed, ...(options.threads ? { threads: options.threads } : {}) },
          );
    const members = new Map<number, number[]>();
    result.assignments.forEach((cluster, j) => {
      const list = members.get(cluster);
      if (list) list.push(indices[j] as number);
      else members.set(cluster, [indices[j] as number]);
    });
    const ordered = [...members.values()].sort(
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
