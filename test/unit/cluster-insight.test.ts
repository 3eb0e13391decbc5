import { describe, expect, it } from 'vitest';
import { tokenize } from '../../lib/embed/tokenize.js';
import type { ItemRecord } from '../../lib/output/hierarchy-schema.js';
import { clusterInsight } from '../../lib/viz/cluster-insight.js';
import type { VizCluster } from '../../lib/viz/format.js';

const cluster = (level: number, id: number, start: number, size: number): VizCluster => ({
  level,
  id,
  name: `c${level}.${id}`,
  description: '',
  size,
  partition: 'all',
  parent: level === 0 ? 0 : null,
  children: [],
  start,
});

const item = (i: number, summary: string, label?: string): ItemRecord => ({
  id: `i${i}`,
  summary,
  partition: 'all',
  path: [],
  preview: '',
  ...(label === undefined ? {} : { label }),
});

// Base clusters 0 (refunds), 1 (crashes) and 2 (exports), all under one top cluster.
const items = [
  ...Array.from({ length: 6 }, (_, i) =>
    item(i, `refund for a duplicate charge ${i % 2 ? 'invoice' : ''}`, i < 5 ? 'billing' : 'bug'),
  ),
  ...Array.from({ length: 4 }, (_, i) => item(6 + i, 'app crash on launch', 'bug')),
  ...Array.from({ length: 4 }, (_, i) => item(10 + i, 'export data as csv', 'data')),
];
const clusters = [
  cluster(0, 0, 0, 6),
  cluster(0, 1, 6, 4),
  cluster(0, 2, 10, 4),
  cluster(1, 0, 0, 14),
];
const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

describe('clusterInsight', () => {
  it('weights distinctive terms by the share of members using them here and elsewhere', () => {
    const insight = clusterInsight(clusters, items);
    const refunds = insight.clusters.find((c) => c.level === 0 && c.id === 0);
    const refund = refunds?.terms.find((t) => t.term.includes('refund'));
    expect(refund).toMatchObject({ share: 1, elsewhere: 0 });
    // Every weight is a plain count over all members, whatever terms were chosen.
    for (const { term, share } of refunds?.terms ?? []) {
      const using = items.slice(0, 6).filter((i) => tokenize(i.summary).includes(term));
      expect(share, term).toBeCloseTo(using.length / 6);
    }
    expect(refunds?.terms.some((t) => t.share === 0.5)).toBe(true);
    const crashes = insight.clusters.find((c) => c.level === 0 && c.id === 1);
    expect(crashes?.terms.map((t) => t.term).join(' ')).toContain('crash');
  });

  it('lists the label mix and purity per cluster and the agreement per level', () => {
    const insight = clusterInsight(clusters, items);
    const refunds = insight.clusters.find((c) => c.level === 0 && c.id === 0);
    expect(refunds?.labels).toEqual([
      { label: 'billing', count: 5 },
      { label: 'bug', count: 1 },
    ]);
    expect(refunds?.purity).toBeCloseTo(5 / 6);
    const base = insight.agreement.find((a) => a.level === 0);
    expect(base?.purity).toBeCloseTo(13 / 14);
    expect(insight.agreement.find((a) => a.level === 1)?.purity).toBeCloseTo(5 / 14);
  });

  it('ranks the nearest clusters of the same level by centroid similarity', () => {
    const byCluster = new Map([
      ['0:0', unit(1, 0, 0)],
      ['0:1', unit(0, 1, 0)],
      ['0:2', unit(1, 1, 0)],
      ['1:0', unit(1, 1, 1)],
    ]);
    const insight = clusterInsight(clusters, items, { space: 'test', byCluster });
    expect(insight.similarity).toBe(true);
    const refunds = insight.clusters.find((c) => c.level === 0 && c.id === 0);
    expect(refunds?.nearest.map((n) => n.id)).toEqual([2, 1]);
    expect(refunds?.nearest[0]?.similarity).toBeCloseTo(Math.SQRT1_2);
    expect(refunds?.nearest[1]?.similarity).toBeCloseTo(0);
    // Without centroids there is no similarity to show, and none is made up.
    const plain = clusterInsight(clusters, items);
    expect(plain.similarity).toBe(false);
    expect(plain.clusters.every((c) => c.nearest.length === 0)).toBe(true);
  });

  it('leaves the label fields out when items carry no labels', () => {
    const bare = items.map(({ label: _label, ...rest }) => rest);
    const insight = clusterInsight(clusters, bare);
    expect(insight.agreement).toEqual([]);
    expect(insight.clusters.every((c) => c.labels === undefined && c.purity === undefined)).toBe(
      true,
    );
  });
});
