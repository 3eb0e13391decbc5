import type { Level } from '../cluster/types.js';
import { facetDistributions, facetNames } from '../facets/distribution.js';
import type { SummarizedItem } from '../pipeline/types.js';
import { formatValue } from '../prompts/render.js';
import { itemLabel } from '../sources/types.js';
import {
  type ClusterRecord,
  HIERARCHY_SCHEMA_VERSION,
  type HierarchyDoc,
  type ItemRecord,
  type RunInfo,
} from './hierarchy-schema.js';

export const PREVIEW_CHARS = 600;

/** The original item as readable text: its inputs, with its outputs when it has any. */
export function originalText(item: SummarizedItem['item']): string {
  return formatValue(
    item.outputs === undefined ? item.inputs : { inputs: item.inputs, outputs: item.outputs },
  );
}

/** The original item as readable text, bounded. */
export function itemPreview(item: SummarizedItem['item'], limit = PREVIEW_CHARS): string {
  const text = originalText(item);
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}

export class HierarchyInvariantError extends Error {
  override name = 'HierarchyInvariantError';
}

/**
 * Turns the built levels into the `hierarchy.json` document, checking the promises readers rely
 * on: every item has one cluster per level and a path to the top, no cluster is empty, and sizes
 * add up level by level.
 */
export function assembleHierarchy(
  items: readonly SummarizedItem[],
  levels: readonly Level[],
  run: RunInfo,
): HierarchyDoc {
  const paths: number[][] = items.map(() => []);
  const names = facetNames(items);
  const facetsOf = (indices: readonly number[]) => {
    const facets = facetDistributions(
      names,
      indices.map((i) => items[i] ?? {}),
    );
    return facets ? { facets } : {};
  };
  const clusters: ClusterRecord[] = [];
  for (const level of levels) {
    let covered = 0;
    for (const cluster of level) {
      if (cluster.itemIndices.length === 0) {
        throw new HierarchyInvariantError(`level ${cluster.level} cluster ${cluster.id} is empty`);
      }
      covered += cluster.itemIndices.length;
      for (const index of cluster.itemIndices) (paths[index] as number[]).push(cluster.id);
      clusters.push({
        level: cluster.level,
        id: cluster.id,
        name: cluster.name,
        description: cluster.description,
        size: cluster.itemIndices.length,
        partition: cluster.partition,
        parent: cluster.parent ?? null,
        children: [...cluster.children],
        ...facetsOf(cluster.itemIndices),
      });
    }
    if (covered !== items.length) {
      throw new HierarchyInvariantError(
        `level ${level[0]?.level}: clusters hold ${covered} items, expected ${items.length}`,
      );
    }
  }
  const records: ItemRecord[] = items.map((entry, index) => {
    const path = paths[index] as number[];
    if (path.length !== levels.length) {
      throw new HierarchyInvariantError(
        `item ${entry.item.id} has no full path (${path.length} of ${levels.length} levels)`,
      );
    }
    const label = itemLabel(entry.item);
    return {
      id: entry.item.id,
      summary: entry.summary,
      partition: entry.partition,
      path,
      ...(label === undefined ? {} : { label }),
      preview: itemPreview(entry.item),
      ...(entry.facets ? { facets: entry.facets } : {}),
    };
  });
  return {
    schemaVersion: HIERARCHY_SCHEMA_VERSION,
    run,
    levels: levels.map((level, i) => ({ level: i, count: level.length })),
    clusters,
    items: records,
  };
}
