import { emptyUsage } from '../../lib/llm/types.js';
import { HIERARCHY_SCHEMA_VERSION, type HierarchyDoc } from '../../lib/output/hierarchy-schema.js';

/** A run on day `day` with one top-level cluster over base clusters of the given sizes. */
export function historyDoc(day: number, sizes: readonly number[], keyed = true): HierarchyDoc {
  const items = sizes.flatMap((size, base) =>
    Array.from({ length: size }, (_, i) => ({
      id: `d${day}-${base}-${i}`,
      summary: 's',
      partition: 'Default',
      path: [base, 0],
      preview: '',
    })),
  );
  const total = items.length;
  return {
    schemaVersion: HIERARCHY_SCHEMA_VERSION,
    run: {
      runId: `run-${day}`,
      createdAt: `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`,
      configDigest: 'test',
      source: 'synthetic',
      window: { start: `2026-01-${String(day).padStart(2, '0')}`, end: 'x' },
      hierarchy: [sizes.length, 1],
      partitions: null,
      llm: 'offline@1',
      embedder: 'test',
      counts: {
        loaded: total,
        sampled: total,
        summarized: total,
        failed: 0,
        clustered: total,
        withheld: 0,
      },
      usage: emptyUsage(),
      costUsd: 0,
      costByStage: {},
      unpricedModels: [],
      failures: [],
      warnings: [],
      timingsMs: {},
    },
    levels: [
      { level: 0, count: sizes.length },
      { level: 1, count: 1 },
    ],
    clusters: [
      ...sizes.map((size, id) => ({
        level: 0,
        id,
        name: `base ${id}`,
        description: '',
        size,
        partition: 'Default',
        parent: 0,
        children: [],
        ...(keyed ? { key: `L0-k${id}` } : {}),
      })),
      {
        level: 1,
        id: 0,
        name: 'top',
        description: '',
        size: total,
        partition: 'Default',
        parent: null,
        children: sizes.map((_, id) => id),
        ...(keyed ? { key: 'L1-top' } : {}),
      },
    ],
    items,
  } as HierarchyDoc;
}
