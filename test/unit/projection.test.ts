import { describe, expect, it } from 'vitest';
import { meanVector } from '../../lib/cluster/vectors.js';
import { hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { attachMap, type ProjectedCluster, projectItems } from '../../lib/output/projection.js';
import { newRunRecord, runInfo } from '../../lib/pipeline/run-record.js';
import { blobVectors } from '../helpers/blobs.js';

function clustersOf(vectors: Float32Array[], truth: number[]): ProjectedCluster[] {
  const groups = new Map<number, number[]>();
  truth.forEach((g, i) => {
    groups.set(g, [...(groups.get(g) ?? []), i]);
  });
  return [...groups.values()].map((itemIndices) => ({
    itemIndices,
    centroid: meanVector(vectors, itemIndices),
  }));
}

/** Mean distance to the own group's centre over mean distance to the other groups' centres. */
function separation(xy: Float32Array, truth: number[]): number {
  const groups = Math.max(...truth) + 1;
  const centres = Array.from({ length: groups }, (_, g) => {
    const members = truth.flatMap((t, i) => (t === g ? [i] : []));
    let [x, y] = [0, 0];
    for (const i of members) {
      x += xy[2 * i] as number;
      y += xy[2 * i + 1] as number;
    }
    return [x / members.length, y / members.length] as const;
  });
  let own = 0;
  let other = 0;
  truth.forEach((g, i) => {
    centres.forEach(([cx, cy], c) => {
      const d = Math.hypot((xy[2 * i] as number) - cx, (xy[2 * i + 1] as number) - cy);
      if (c === g) own += d;
      else other += d / (groups - 1);
    });
  });
  return own / other;
}

describe('projectItems', () => {
  const { vectors, truth } = blobVectors(5, 60, 16, 3);
  const clusters = clustersOf(vectors, truth);

  it('is deterministic for a seed and keeps every point in the unit square', () => {
    const a = projectItems(vectors, clusters, { seed: 7 });
    const b = projectItems(vectors, clusters, { seed: 7 });
    expect(a.xy).toEqual(b.xy);
    expect(a.xy.length).toBe(2 * vectors.length);
    for (const v of a.xy) expect(v >= 0 && v <= 1).toBe(true);
    expect(a.info).toMatchObject({ anchors: vectors.length, seed: 7 });
  });

  it('keeps items of one cluster together, apart from the others', () => {
    const { xy } = projectItems(vectors, clusters, { seed: 7 });
    expect(separation(xy, truth)).toBeLessThan(0.35);
  });

  it('bounds the work on large runs: UMAP sees centroids plus a sample, the rest are placed', () => {
    const { xy, info } = projectItems(vectors, clusters, { seed: 7, maxAnchors: 40 });
    expect(info.anchors).toBeLessThanOrEqual(40);
    expect(info.anchors).toBeGreaterThanOrEqual(clusters.length);
    expect(info.method).toMatch(/centroids/);
    expect(separation(xy, truth)).toBeLessThan(0.35);
    for (const v of xy) expect(Number.isFinite(v)).toBe(true);
  });

  it('copes with tiny runs: no items, one item, identical vectors', () => {
    expect(projectItems([], [], { seed: 1 }).xy).toHaveLength(0);
    const first = vectors[0] as Float32Array;
    const one = projectItems([first], [{ itemIndices: [0], centroid: first }], { seed: 1 });
    expect(one.xy).toHaveLength(2);
    const same = Array.from({ length: 30 }, () => vectors[0] as Float32Array);
    const flat = projectItems(
      same,
      [{ itemIndices: same.map((_, i) => i), centroid: same[0] as Float32Array }],
      { seed: 1 },
    );
    for (const v of flat.xy) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('attachMap adds rounded positions that the data contract accepts', () => {
    const projection = projectItems(
      vectors.slice(0, 2),
      [{ itemIndices: [0, 1], centroid: meanVector(vectors, [0, 1]) }],
      { seed: 1 },
    );
    const doc = attachMap(
      {
        schemaVersion: 1,
        run: {
          ...runInfo(
            newRunRecord({
              startedAt: new Date('2026-01-01T00:00:00Z'),
              digest: 'd',
              hierarchy: [1],
              partitions: null,
              llm: 'l',
              embedder: 'e',
            }),
          ),
          counts: { loaded: 2, sampled: 2, summarized: 2, failed: 0, clustered: 2, withheld: 0 },
        },
        levels: [{ level: 0, count: 1 }],
        clusters: [
          {
            level: 0,
            id: 0,
            name: 'n',
            description: 'd',
            size: 2,
            partition: 'Default',
            parent: null,
            children: [],
          },
        ],
        items: ['a', 'b'].map((id) => ({
          id,
          summary: id,
          partition: 'Default',
          path: [0],
          preview: id,
        })),
      },
      projection,
    );
    const parsed = hierarchySchema.parse(doc);
    expect(parsed.map?.anchors).toBe(2);
    for (const item of parsed.items) {
      expect(item.xy).toHaveLength(2);
      for (const v of item.xy ?? [])
        expect(String(v).split('.')[1]?.length ?? 0).toBeLessThanOrEqual(4);
    }
  });
});
