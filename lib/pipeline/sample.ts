import type { Item } from '../sources/types.js';
import { hashParts } from '../util/hash.js';

/**
 * A seeded sample of `size` items, in their original order. Items are ranked by a hash of
 * seed and id, so the same config picks the same items, and a source that gains a few items
 * keeps most of its earlier sample.
 */
export function sampleItems(items: readonly Item[], size: number | null, seed: number): Item[] {
  if (size === null || size >= items.length) return [...items];
  const ranked = items
    .map((item, index) => ({ index, rank: hashParts(String(seed), item.id) }))
    .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : a.index - b.index))
    .slice(0, size)
    .map((r) => r.index)
    .sort((a, b) => a - b);
  return ranked.map((index) => items[index] as Item);
}
