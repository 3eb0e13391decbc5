import { type ClusterNode, isShown, type Level } from '../cluster/types.js';
import { meanVector } from '../cluster/vectors.js';
import type { SummarizedItem } from '../pipeline/types.js';

/** What the outputs may hold: the items, their vectors and the levels, re-indexed to them. */
export interface ShownRun {
  readonly items: SummarizedItem[];
  readonly vectors: Float32Array[];
  readonly levels: Level[];
  /** Ids of the items held back (their base cluster, or a cluster above it, was withheld). */
  readonly withheldIds: string[];
}

/**
 * The run as its outputs may show it: an item is shown only when it has a shown cluster at every
 * level (a withheld base cluster is never grouped, and everything under a withheld parent goes
 * with it); a cluster only when some shown item is in it. Cluster ids are kept, so failures and
 * level artifacts still name the same clusters.
 */
export function shownRun(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  levels: readonly Level[],
): ShownRun {
  const shownCount = new Uint16Array(items.length);
  for (const level of levels) {
    for (const cluster of level.filter(isShown)) {
      for (const index of cluster.itemIndices) shownCount[index] = (shownCount[index] ?? 0) + 1;
    }
  }
  const newIndex = new Int32Array(items.length).fill(-1);
  const kept: number[] = [];
  const withheldIds: string[] = [];
  items.forEach((entry, index) => {
    if (shownCount[index] === levels.length) {
      newIndex[index] = kept.length;
      kept.push(index);
    } else withheldIds.push(entry.item.id);
  });
  if (withheldIds.length === 0) {
    return {
      items: [...items],
      vectors: [...vectors],
      levels: levels.map((l) => [...l]),
      withheldIds,
    };
  }
  const shownVectors = kept.map((i) => vectors[i] as Float32Array);
  const restricted: Level[] = [];
  for (const level of levels) {
    const below = restricted[restricted.length - 1];
    const keptBelow = new Set(below?.map((c) => c.id));
    const next: Level = [];
    for (const cluster of level.filter(isShown)) {
      const itemIndices = cluster.itemIndices
        .map((i) => newIndex[i] as number)
        .filter((i) => i >= 0);
      if (itemIndices.length === 0) continue;
      const node: ClusterNode = {
        ...cluster,
        children: cluster.children.filter((id) => keptBelow.has(id)),
        itemIndices,
        centroid:
          itemIndices.length === cluster.itemIndices.length
            ? cluster.centroid
            : meanVector(shownVectors, itemIndices),
      };
      next.push(node);
    }
    restricted.push(next);
  }
  return {
    items: kept.map((i) => items[i] as SummarizedItem),
    vectors: shownVectors,
    levels: restricted,
    withheldIds,
  };
}
