import { expect, it } from 'vitest';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { withholdSmallClusters } from '../../lib/output/withhold.js';

const item = (id: string, path: number[]) => ({
  id,
  summary: id,
  partition: 'Default',
  path,
  preview: '',
});
const doc = {
  run: { counts: { loaded: 6, sampled: 6, summarized: 6, failed: 0, clustered: 6, withheld: 0 } },
  levels: [
    { level: 0, count: 3 },
    { level: 1, count: 2 },
  ],
  clusters: [
    {
      level: 0,
      id: 0,
      name: 'a',
      description: '',
      size: 4,
      partition: 'Default',
      parent: 0,
      children: [],
    },
    {
      level: 0,
      id: 1,
      name: 'b',
      description: '',
      size: 1,
      partition: 'Default',
      parent: 0,
      children: [],
    },
    {
      level: 0,
      id: 2,
      name: 'rare',
      description: '',
      size: 1,
      partition: 'Default',
      parent: 1,
      children: [],
    },
    {
      level: 1,
      id: 0,
      name: 'A',
      description: '',
      size: 5,
      partition: 'Default',
      parent: null,
      children: [0, 1],
    },
    {
      level: 1,
      id: 1,
      name: 'R',
      description: '',
      size: 1,
      partition: 'Default',
      parent: null,
      children: [2],
    },
  ],
  items: [
    item('1', [0, 0]),
    item('2', [0, 0]),
    item('3', [0, 0]),
    item('4', [0, 0]),
    item('5', [1, 0]),
    item('6', [2, 1]),
  ],
} as unknown as HierarchyDoc;

it('withholds clusters below the threshold, their items and emptied parents, and counts them', () => {
  const out = withholdSmallClusters(doc, 2);
  expect(out.items.map((i) => i.id)).toEqual(['1', '2', '3', '4']);
  expect(out.clusters.map((c) => [c.level, c.id, c.size, c.children])).toEqual([
    [0, 0, 4, []],
    [1, 0, 4, [0]],
  ]);
  expect(out.levels).toEqual([
    { level: 0, count: 1 },
    { level: 1, count: 1 },
  ]);
  expect(out.run.counts.withheld).toBe(2);
  expect(withholdSmallClusters(doc, 1)).toBe(doc);
});
