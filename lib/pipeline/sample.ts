import type { Item } from '../sources/types.js';
import { hashParts } from '../util/hash.js';

/**
 * The positions of a seeded sample of `size` out of `ids` (in source order), ascending. Ids are
 * ranked by a hash of seed and id, so the same config picks the same items, a source that gains
 * a few items keeps most of its earlier sample, and the pick does not depend on how the ids
 * were gathered: only on the ids and their order (which breaks ties between equal ids).
 * It needs only the ids, so a source too big to hold whole can be sampled from an index of them.
 */
export function sampledPositions(
  ids: readonly string[],
  size: number | null,
  seed: number,
): number[] {
  if (size === null || size >= ids.length) return ids.map((_, index) => index);
  const salt = String(seed);
  return ids
    .map((id, index) => ({ index, rank: hashParts(salt, id) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.index - b.index))
    .slice(0, size)
    .map((r) => r.index)
    .sort((a, b) => a - b);
}

/** A seeded sample of `size` items, in their original order (see `sampledPositions`). */
export function sampleItems(items: readonly Item[], size: number | null, seed: number): Item[] {
  if (size === null || size >= items.length) return [...items];
  const positions = sampledPositions(
    items.map((item) => item.id),
    size,
    seed,
  );
  return positions.map((index) => items[index] as Item);
}
