import { describe, expect, it } from 'vitest';
import { sampleItems } from '../../lib/pipeline/sample.js';
import type { Item } from '../../lib/sources/types.js';

const items: Item[] = Array.from({ length: 200 }, (_, i) => ({
  id: `item-${i}`,
  inputs: i,
  metadata: {},
}));

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
