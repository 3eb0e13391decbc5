import { describe, expect, it } from 'vitest';
import { buildHierarchy } from '../../lib/cluster/hierarchy.js';
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
