import { describe, expect, it } from 'vitest';
import { clusterRef, type RunCentroids } from '../../lib/compare/centroids.js';
import { compareRuns, type LabelledRun } from '../../lib/compare/compare.js';
import { assignKeys } from '../../lib/compare/keys.js';
import { keyAssembledRun } from '../../lib/compare/run-keys.js';
import { vectorFromBase64 } from '../../lib/embed/cached.js';
import { emptyUsage } from '../../lib/llm/types.js';
import {
  type ClusterRecord,
  type HierarchyDoc,
  hierarchySchema,
  type ItemRecord,
} from '../../lib/output/hierarchy-schema.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';

const DIMENSIONS = 16;

interface Spec {
  readonly name: string;
  readonly size: number;
  /** The axis its centroid points along: the same axis means the same topic. */
  readonly topic: number;
  readonly key?: string;
  /** Item ids, when a test wants two runs to share items. */
  readonly ids?: readonly string[];
}

function runInfo(runId: string, items: number): HierarchyDoc['run'] {
  return {
    runId,
    createdAt: '2026-01-01T00:00:00.000Z',
    configDigest: 'test',
    source: 'synthetic',
    window: null,
    hierarchy: [4, 1],
    partitions: null,
    llm: 'offline@1',
    embedder: 'test',
    counts: {
      loaded: items,
      sampled: items,
      summarized: items,
      failed: 0,
      clustered: items,
      withheld: 0,
    },
    usage: emptyUsage(),
    costUsd: 0,
    costByStage: {},
    unpricedModels: [],
    failures: [],
    warnings: [],
    timingsMs: {},
  };
}

/** A run of two levels: the specs' base clusters under one top-level cluster, centroids on axes. */
function syntheticRun(runId: string, specs: readonly Spec[], seed: number): LabelledRun {
  const normal = normalGenerator(mulberry32(seed));
  const items: ItemRecord[] = [];
  const base: ClusterRecord[] = specs.map((spec, id) => {
    for (let i = 0; i < spec.size; i++) {
      const itemId = spec.ids?.[i] ?? `${runId}-${spec.name}-${i}`;
      items.push({
        id: itemId,
        summary: spec.name,
        partition: 'Default',
        path: [id, 0],
        preview: '',
      });
    }
    return {
      level: 0,
      id,
      name: spec.name,
      description: '',
      size: spec.size,
      partition: 'Default',
      parent: 0,
      children: [],
      ...(spec.key ? { key: spec.key } : {}),
    };
  });
  const top: ClusterRecord = {
    level: 1,
    id: 0,
    name: 'Everything',
    description: '',
    size: items.length,
    partition: 'Default',
    parent: null,
    children: base.map((c) => c.id),
  };
  const axis = (topic: number) => {
    const v = new Float32Array(DIMENSIONS).map(() => 0.05 * normal());
    v[topic] = (v[topic] as number) + 1;
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const byCluster = new Map<string, Float32Array>([
    ...specs.map((spec, id) => [clusterRef(0, id), axis(spec.topic)] as const),
    [clusterRef(1, 0), axis(15)],
  ]);
  const centroids: RunCentroids = { space: 'test-space', byCluster };
  const doc: HierarchyDoc = {
    schemaVersion: 1,
    run: runInfo(runId, items.length),
    levels: [
      { level: 0, count: base.length },
      { level: 1, count: 1 },
    ],
    clusters: [...base, top],
    items,
  };
  return { label: runId, doc, centroids };
}

const statuses = (comparison: ReturnType<typeof compareRuns>, level: number) =>
  Object.fromEntries(
    (comparison.levels[level]?.changes ?? []).map((c) => [c.b?.name ?? c.a?.name, c.status]),
  );

const BEFORE: Spec[] = [
  { name: 'Refund a double charge', size: 40, topic: 0 },
  { name: 'Reset a forgotten password', size: 20, topic: 1 },
  { name: 'Export projects to spreadsheets', size: 40, topic: 2 },
];
// The same topics in other words, as a later run's namer might put them; export is gone, and
// a dark-mode topic has appeared.
const AFTER: Spec[] = [
  { name: 'Ask for a refund after a double charge', size: 40, topic: 0 },
  { name: 'Regain access after a password reset', size: 30, topic: 1 },
  { name: 'Request a dark mode', size: 30, topic: 3 },
];

describe('compareRuns', () => {
  it('reports exactly the new, the vanished and the growing cluster', () => {
    const comparison = compareRuns(syntheticRun('a', BEFORE, 1), syntheticRun('b', AFTER, 2));
    expect(comparison.centroids).toBe(true);
    expect(statuses(comparison, 0)).toEqual({
      'Ask for a refund after a double charge': 'stable',
      'Regain access after a password reset': 'growing',
      'Request a dark mode': 'new',
      'Export projects to spreadsheets': 'vanished',
    });
    expect(comparison.levels[0]?.counts).toEqual({
      new: 1,
      vanished: 1,
      growing: 1,
      shrinking: 0,
      stable: 1,
    });
    const growing = comparison.levels[0]?.changes.find((c) => c.status === 'growing');
    expect(growing).toMatchObject({
      a: { size: 20, share: 0.2 },
      b: { size: 30, share: 0.3 },
      matchedBy: 'similarity',
    });
    expect(growing?.shareChange).toBeCloseTo(10);
    // The top level holds everything in both runs.
    expect(comparison.levels[1]?.counts).toMatchObject({ stable: 1, new: 0, vanished: 0 });
  });

  it('calls a cluster shrinking only when its share falls by both thresholds', () => {
    const after = [
      { name: 'Refund a double charge', size: 20, topic: 0 },
      { name: 'Reset a forgotten password', size: 19, topic: 1 },
      { name: 'Export projects to spreadsheets', size: 61, topic: 2 },
    ];
    const comparison = compareRuns(syntheticRun('a', BEFORE, 1), syntheticRun('b', after, 2));
    expect(statuses(comparison, 0)).toEqual({
      'Refund a double charge': 'shrinking',
      'Reset a forgotten password': 'stable',
      'Export projects to spreadsheets': 'growing',
    });
  });

  it('pairs clusters by key before anything else', () => {
    const before = BEFORE.map((s, i) => ({ ...s, key: `k${i}` }));
    // Same key, but another topic and name: the key says they are the same cluster.
    const after = [{ name: 'Something else entirely', size: 40, topic: 7, key: 'k0' }];
    const comparison = compareRuns(syntheticRun('a', before, 1), syntheticRun('b', after, 2));
    const change = comparison.levels[0]?.changes.find((c) => c.b?.key === 'k0');
    expect(change).toMatchObject({ matchedBy: 'key', a: { name: 'Refund a double charge' } });
  });

  it('matches on shared items when the runs have no comparable centroids', () => {
    const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
    const before = [
      { name: 'alpha', size: 30, topic: 0, ids: ids('x', 30) },
      { name: 'beta', size: 30, topic: 1, ids: ids('y', 30) },
    ];
    const after = [
      { name: 'gamma', size: 30, topic: 5, ids: ids('y', 30) },
      { name: 'delta', size: 30, topic: 6, ids: ids('x', 30) },
    ];
    const a = { ...syntheticRun('a', before, 1), centroids: undefined };
    const b = { ...syntheticRun('b', after, 2), centroids: undefined };
    const comparison = compareRuns(a, b);
    expect(comparison.centroids).toBe(false);
    const pairs = comparison.levels[0]?.changes.map((c) => [c.a?.name, c.b?.name]);
    expect(pairs).toEqual(
      expect.arrayContaining([
        ['alpha', 'delta'],
        ['beta', 'gamma'],
      ]),
    );
  });
});

describe('stable keys', () => {
  it('are the same when the same data is clustered the same way twice', () => {
    const first = assignKeys(syntheticRun('a', BEFORE, 1));
    const again = assignKeys(syntheticRun('a', BEFORE, 3));
    const keys = first.doc.clusters.map((c) => c.key);
    expect(keys.every((k) => typeof k === 'string')).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(again.doc.clusters.map((c) => c.key)).toEqual(keys);
  });

  it("carry over to the next run's matching clusters; new clusters get keys never used before", () => {
    const previous = assignKeys(syntheticRun('a', BEFORE, 1)).doc;
    const keyOf = (doc: HierarchyDoc, name: string) =>
      doc.clusters.find((c) => c.name === name)?.key;
    const prior = { doc: previous, centroids: syntheticRun('a', BEFORE, 1).centroids };
    const next = assignKeys(syntheticRun('b', AFTER, 2), prior);
    expect(next.carried).toBe(3); // two base clusters and the top one
    expect(keyOf(next.doc, 'Ask for a refund after a double charge')).toBe(
      keyOf(previous, 'Refund a double charge'),
    );
    expect(keyOf(next.doc, 'Regain access after a password reset')).toBe(
      keyOf(previous, 'Reset a forgotten password'),
    );
    const fresh = keyOf(next.doc, 'Request a dark mode');
    expect(previous.clusters.map((c) => c.key)).not.toContain(fresh);
    // The comparison of the two now pairs them by key.
    const comparison = compareRuns(
      { ...prior, label: 'a' },
      { label: 'b', doc: next.doc, centroids: syntheticRun('b', AFTER, 2).centroids },
    );
    expect(comparison.levels[0]?.changes.filter((c) => c.matchedBy === 'key')).toHaveLength(2);
  });

  it('come with a centroids artifact that records withheld items only as hashes', () => {
    const run = syntheticRun('a', BEFORE, 1);
    const shown = { ...run.doc, items: run.doc.items.slice(1) };
    const vectors = run.doc.items.map(() => new Float32Array([1, 0]));
    const summarized = run.doc.items.map((i) => ({
      item: { id: i.id, inputs: '', metadata: {} },
      summary: i.summary,
      partition: i.partition,
    }));
    const withheld = [run.doc.items[0]?.id as string];
    const keyed = keyAssembledRun(shown, withheld, summarized, vectors, {
      embedder: { contextual: undefined },
    });
    expect(keyed.centroids.space).toBe('test');
    expect(keyed.centroids.withheld).toHaveLength(1);
    expect(JSON.stringify(keyed.centroids)).not.toContain(run.doc.items[0]?.id);
    const first = keyed.centroids.clusters[0];
    expect(Array.from(vectorFromBase64(first?.centroid ?? ''))).toEqual([1, 0]);
  });
});

it('reads hierarchy files made before keys and extensions', () => {
  const old = syntheticRun('a', BEFORE, 1).doc;
  const parsed = hierarchySchema.parse(JSON.parse(JSON.stringify(old)));
  expect(parsed.clusters.every((c) => c.key === undefined)).toBe(true);
  expect(parsed.run.extensions).toBeUndefined();
});
