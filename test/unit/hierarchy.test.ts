import { describe, expect, it } from 'vitest';
import { buildHierarchy } from '../../lib/cluster/hierarchy.js';
import { planHierarchy } from '../../lib/cluster/plan.js';
import type { Embedder } from '../../lib/embed/types.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import { assembleHierarchy } from '../../lib/output/assemble.js';
import type { RunInfo } from '../../lib/output/hierarchy-schema.js';
import type { SummarizedItem } from '../../lib/pipeline/types.js';
import { blobVectors } from '../helpers/blobs.js';

const TOPICS = [
  'refund invoice charge',
  'login password reset',
  'export data file',
  'mobile app crash',
];

/** The offline grouping must not need an embedder; this one fails the test if it is used. */
const unusedEmbedder: Embedder = {
  id: 'unused',
  dimensions: 0,
  embed: () => Promise.reject(new Error('the offline path must not embed names')),
  close: async () => {},
};

function fixture(perTopic: number, partitionOf?: (topic: number) => string) {
  const { vectors, truth } = blobVectors(TOPICS.length, perTopic, 16, 3);
  const items: SummarizedItem[] = truth.map((t, i) => ({
    item: { id: `i${i}`, inputs: TOPICS[t], metadata: { label: String(t) } },
    summary: `${TOPICS[t]} case ${i % 7}`,
    partition: partitionOf ? partitionOf(t) : 'Default',
  }));
  return { items, vectors, truth };
}

const run = { hierarchy: [], counts: {} } as unknown as RunInfo;

describe('buildHierarchy (offline)', () => {
  it('gives every item a full path, sizes that add up, and no empty cluster', async () => {
    const { items, vectors, truth } = fixture(30);
    const built = await buildHierarchy(
      items,
      vectors,
      { llm: new OfflineLlm(), embedder: unusedEmbedder },
      {
        hierarchy: [8, 4, 2],
        partitions: null,
        seed: 1,
        concurrency: 4,
      },
    );
    expect(built.levels.map((l) => l.length)).toEqual([8, 4, 2]);
    const doc = assembleHierarchy(items, built.levels, run);
    expect(doc.items.every((i) => i.path.length === 3)).toBe(true);
    for (const level of [0, 1, 2]) {
      const clusters = doc.clusters.filter((c) => c.level === level);
      expect(clusters.reduce((s, c) => s + c.size, 0)).toBe(items.length);
      expect(clusters.every((c) => c.size > 0 && c.name.length > 0)).toBe(true);
    }
    // A parent's size is the sum of its children's, and paths agree with parent links.
    for (const parent of doc.clusters.filter((c) => c.level > 0)) {
      const children = doc.clusters.filter(
        (c) => c.level === parent.level - 1 && c.parent === parent.id,
      );
      expect(children.map((c) => c.id).sort()).toEqual([...parent.children].sort());
      expect(children.reduce((s, c) => s + c.size, 0)).toBe(parent.size);
    }
    // Four well-separated topics into four mid-level clusters: each topic lands whole in one.
    const topicToCluster = new Map<number, Set<number>>();
    doc.items.forEach((item, i) => {
      const set = topicToCluster.get(truth[i] as number) ?? new Set();
      set.add(item.path[1] as number);
      topicToCluster.set(truth[i] as number, set);
    });
    expect([...topicToCluster.values()].every((s) => s.size === 1)).toBe(true);
  });

  it('names clusters from their distinctive terms', async () => {
    const { items, vectors } = fixture(20);
    const built = await buildHierarchy(
      items,
      vectors,
      { llm: new OfflineLlm(), embedder: unusedEmbedder },
      {
        hierarchy: [4],
        partitions: null,
        seed: 1,
        concurrency: 2,
      },
    );
    const names = built.levels[0]?.map((c) => c.name.toLowerCase()) ?? [];
    for (const topic of TOPICS)
      expect(names.some((n) => topic.split(' ').some((w) => n.includes(w)))).toBe(true);
  });

  it('makes fewer clusters than asked, with a warning, when items are too few', async () => {
    const { items, vectors } = fixture(2);
    const built = await buildHierarchy(
      items,
      vectors,
      { llm: new OfflineLlm(), embedder: unusedEmbedder },
      {
        hierarchy: [20, 10],
        partitions: null,
        seed: 1,
        concurrency: 2,
      },
    );
    expect(built.levels[0]?.length).toBeLessThanOrEqual(8);
    expect(built.warnings.join('\n')).toMatch(/level 0: asked for 20 clusters, made \d/);
    const doc = assembleHierarchy(items, built.levels, run);
    expect(doc.items.every((i) => i.path.length === 2)).toBe(true);
  });

  it('keeps partitions apart and makes them the top level', async () => {
    const partitions = { Money: 'billing and refunds', Access: 'accounts and apps' };
    const { items, vectors } = fixture(15, (t) => (t < 2 ? 'Money' : 'Access'));
    const built = await buildHierarchy(
      items,
      vectors,
      { llm: new OfflineLlm(), embedder: unusedEmbedder },
      {
        hierarchy: [6, 2],
        partitions,
        seed: 1,
        concurrency: 2,
      },
    );
    const [base, top] = built.levels;
    expect(top?.map((c) => c.name).sort()).toEqual(['Access', 'Money']);
    expect(top?.find((c) => c.name === 'Money')?.description).toBe('billing and refunds');
    for (const cluster of base ?? []) {
      expect(cluster.itemIndices.every((i) => items[i]?.partition === cluster.partition)).toBe(
        true,
      );
      expect(top?.[cluster.parent as number]?.partition).toBe(cluster.partition);
    }
  });
});

describe('planHierarchy: the levels a run makes, decided before any work', () => {
  it('shrinks levels asked beyond the items so each is smaller than the one below', () => {
    expect(planHierarchy([36, 12, 5], 10)).toMatchObject({ levels: [9, 8, 5] });
    expect(planHierarchy([36, 12, 5], 7).levels).toEqual([6, 5, 4]);
    expect(planHierarchy([36, 12, 5], 5).levels).toEqual([4, 3, 2]);
  });

  it('drops the levels that would only repeat a single cluster', () => {
    expect(planHierarchy([36, 12, 5], 3).levels).toEqual([2, 1]);
    expect(planHierarchy([36, 12, 5], 2).levels).toEqual([1]);
    expect(planHierarchy([36, 12, 5], 1).levels).toEqual([1]);
  });

  it('keeps a hierarchy that fits, with no warning', () => {
    expect(planHierarchy([36, 12, 5], 1500)).toEqual({ levels: [36, 12, 5] });
    expect(planHierarchy([9, 8, 5], 10)).toEqual({ levels: [9, 8, 5] });
  });

  it('says once what was asked and what is used', () => {
    expect(planHierarchy([36, 12, 5], 3).warning).toBe(
      '`hierarchy` [36, 12, 5] asks for more clusters than 3 items can fill; using [2, 1] (each level needs fewer clusters than the level below has, and the base level fewer than the items)',
    );
  });

  it('always plans strictly decreasing counts of at least one', () => {
    for (let items = 1; items <= 60; items++) {
      for (const asked of [[50, 20, 10, 2], [5, 4, 3, 2, 1], [1], [100]]) {
        const { levels } = planHierarchy(asked, items);
        expect(levels.length).toBeGreaterThan(0);
        expect(levels[0]).toBeLessThanOrEqual(Math.max(1, items - 1));
        levels.forEach((n, i) => {
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(asked[i] as number);
          if (i > 0) expect(n).toBeLessThan(levels[i - 1] as number);
        });
      }
    }
  });
});
