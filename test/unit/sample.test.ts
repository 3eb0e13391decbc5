import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampledPositions, sampleItems } from '../../lib/pipeline/sample.js';
import type { Item } from '../../lib/sources/types.js';

const items: Item[] = Array.from({ length: 200 }, (_, i) => ({
  id: `item-${i}`,
  inputs: i,
  metadata: {},
}));
/** What sampleItems picked before sampling was shared with indexed sources: unchanged. */
const PICKS_OF_SEED_42 = ['item-56', 'item-72', 'item-132', 'item-136', 'item-186'];

describe('sampleItems', () => {
  it('takes the same items for the same seed, in source order', () => {
    const a = sampleItems(items, 20, 7);
    const b = sampleItems([...items], 20, 7);
    expect(a.map((i) => i.id)).toEqual(b.map((i) => i.id));
    expect(a).toHaveLength(20);
    const positions = a.map((i) => items.indexOf(i));
    expect(positions).toEqual([...positions].sort((x, y) => x - y));
  });

  it('takes different items for a different seed', () => {
    const a = sampleItems(items, 20, 1).map((i) => i.id);
    const b = sampleItems(items, 20, 2).map((i) => i.id);
    expect(a).not.toEqual(b);
  });

  it('keeps most of the sample when the source gains items', () => {
    const before = new Set(sampleItems(items, 50, 3).map((i) => i.id));
    const more = [
      ...items,
      ...Array.from({ length: 10 }, (_, i) => ({ id: `new-${i}`, inputs: i, metadata: {} })),
    ];
    const after = sampleItems(more, 50, 3).map((i) => i.id);
    expect(after.filter((id) => before.has(id)).length).toBeGreaterThanOrEqual(40);
  });

  it('returns everything for null or a size beyond the source', () => {
    expect(sampleItems(items, null, 1)).toHaveLength(200);
    expect(sampleItems(items, 500, 1)).toHaveLength(200);
  });
});

describe('sampledPositions', () => {
  it('picks the ids sampleItems picks, by id alone: any order of the same ids picks the same set', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string(), { maxLength: 80 }),
        fc.option(fc.nat(90), { nil: null }),
        fc.integer(),
        (ids, size, seed) => {
          const positions = sampledPositions(ids, size, seed);
          expect(positions).toEqual([...positions].sort((a, b) => a - b));
          expect(positions).toHaveLength(size === null ? ids.length : Math.min(size, ids.length));
          const asItems = ids.map((id) => ({ id, inputs: null, metadata: {} }));
          const picked = positions.map((p) => ids[p]);
          expect(sampleItems(asItems, size, seed).map((i) => i.id)).toEqual(picked);
          const reversed = [...ids].reverse();
          const again = sampledPositions(reversed, size, seed).map((p) => reversed[p]);
          expect(new Set(again)).toEqual(new Set(picked));
        },
      ),
    );
  });

  it('keeps the picks of a fixed seed (they name which items a config clusters)', () => {
    expect(sampleItems(items, 5, 42).map((i) => i.id)).toEqual(PICKS_OF_SEED_42);
  });
});
