import { dot } from '../cluster/vectors.js';
import { facetDistributions, facetNames } from '../facets/distribution.js';
import { itemPreview } from '../output/assemble.js';
import type { ClusterRecord, HierarchyDoc, ItemRecord } from '../output/hierarchy-schema.js';
import type { SummarizedItem } from '../pipeline/types.js';
import { itemLabel } from '../sources/types.js';
import { ClioError } from '../util/errors.js';

/** A document whose tree does not hold together: `extend` refuses to write on top of it. */
export class BrokenHierarchyError extends ClioError {
  override name = 'BrokenHierarchyError';
}

export interface PlacedItem {
  readonly entry: SummarizedItem;
  readonly vector: Float32Array;
  /** The base cluster it goes to. */
  readonly base: number;
}

/** A new item's map position borrows its most similar member's: bounded work per item. */
const MAP_NEIGHBOURS = 200;

/**
 * The document with the placed items added under their base clusters: each gets the path up
 * through the parents, every cluster on it grows by one, and with a map each is put at its most
 * similar member's position. Old items and clusters keep their ids and paths.
 */
export function addPlacedItems(
  doc: HierarchyDoc,
  oldVectors: readonly Float32Array[],
  placed: readonly PlacedItem[],
  extension: number,
): HierarchyDoc {
  const clusters = doc.clusters.map((c) => ({ ...c }));
  const byRef = new Map(clusters.map((c) => [`${c.level}:${c.id}`, c]));
  const membersOf = new Map<number, number[]>();
  doc.items.forEach((item, i) => {
    const list = membersOf.get(item.path[0] as number) ?? [];
    if (list.length < MAP_NEIGHBOURS) list.push(i);
    membersOf.set(item.path[0] as number, list);
  });
  const top = doc.levels.length - 1;
  const items: ItemRecord[] = placed.map(({ entry, vector, base }) => {
    const path: ClusterRecord[] = [];
    for (
      let c = byRef.get(`0:${base}`);
      c;
      c = c.parent === null ? undefined : byRef.get(`${c.level + 1}:${c.parent}`)
    ) {
      path.push(c);
    }
    if (path.length !== top + 1) {
      throw new BrokenHierarchyError(
        `base cluster ${base} has no full path to the top level (${path.length} of ${top + 1} levels)`,
      );
    }
    for (const cluster of path) cluster.size++;
    const label = itemLabel(entry.item);
    const xy = doc.map
      ? nearestPosition(doc, oldVectors, membersOf.get(base) ?? [], vector)
      : undefined;
    return {
      id: entry.item.id,
      summary: entry.summary,
      partition: entry.partition,
      path: path.map((c) => c.id),
      ...(label === undefined ? {} : { label }),
      preview: itemPreview(entry.item),
      ...(xy ? { xy } : {}),
      extension,
      ...(entry.facets ? { facets: entry.facets } : {}),
    };
  });
  const all = [...doc.items, ...items];
  refreshFacets(
    clusters,
    all,
    new Set(items.flatMap((item) => item.path.map((id, level) => `${level}:${id}`))),
  );
  return { ...doc, clusters, items: all };
}

/**
 * The facet distributions of the clusters that grew, recomputed over all their members, old
 * and new, so a cluster's counts and quartiles always describe the items it holds.
 */
function refreshFacets(
  clusters: ClusterRecord[],
  items: readonly ItemRecord[],
  grown: ReadonlySet<string>,
): void {
  const members = new Map<string, ItemRecord[]>([...grown].map((ref) => [ref, []]));
  for (const item of items) {
    item.path.forEach((id, level) => {
      members.get(`${level}:${id}`)?.push(item);
    });
  }
  const names = facetNames(items);
  for (const cluster of clusters) {
    const list = members.get(`${cluster.level}:${cluster.id}`);
    if (!list) continue;
    const facets = facetDistributions(names, list);
    if (facets) cluster.facets = facets;
  }
}

function nearestPosition(
  doc: HierarchyDoc,
  vectors: readonly Float32Array[],
  members: readonly number[],
  vector: Float32Array,
): [number, number] | undefined {
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const i of members) {
    const score = dot(vector, vectors[i] as Float32Array);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return doc.items[best]?.xy;
}
