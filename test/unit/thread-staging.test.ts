import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sampleItems } from '../../lib/pipeline/sample.js';
import { RUN_KEYS } from '../../lib/pipeline/staged/layout.js';
import {
  planSample,
  type RunFeed,
  stageThreads,
} from '../../lib/pipeline/staged/thread-batches.js';
import { ThreadShards } from '../../lib/pipeline/staged/thread-shards.js';
import { groupRootRuns, type RootRun } from '../../lib/sources/langsmith/index.js';
import type { Item } from '../../lib/sources/types.js';
import { memoryStore } from '../helpers/memory-store.js';
import { rootRunsArbitrary } from '../helpers/root-runs.js';

/** The runs dealt to `streams` producers running at once, as parallel sub-windows deliver them. */
const feedOf =
  (runs: readonly RootRun[], streams = 1): RunFeed =>
  async (onRun) => {
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        for (let i = s; i < runs.length; i += streams) await onRun(runs[i] as RootRun);
      }),
    );
    return [];
  };

const chunks = <T>(items: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, (i + 1) * size),
  );

/** An order of the runs: the same runs as another page order would bring them. */
const shuffled = <T>(items: readonly T[], keys: readonly number[]): T[] =>
  items
    .map((item, i) => ({ item, key: keys[i % Math.max(1, keys.length)] ?? 0, i }))
    .sort((a, b) => a.key - b.key || a.i - b.i)
    .map(({ item }) => item);

const tuning = fc.record({
  shards: fc.integer({ min: 1, max: 5 }),
  flushBytes: fc.integer({ min: 1, max: 6000 }),
  groupBytes: fc.integer({ min: 1, max: 6000 }),
  ioConcurrency: fc.integer({ min: 1, max: 4 }),
});

describe('stageThreads', () => {
  it('writes exactly the batches of sampleItems(groupRootRuns(runs)), whatever order runs arrive in', async () => {
    await fc.assert(
      fc.asyncProperty(
        rootRunsArbitrary(),
        fc.array(fc.integer(), { minLength: 1 }),
        fc.integer({ min: 1, max: 4 }),
        fc.option(fc.integer({ min: 0, max: 70 }), { nil: null }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 7 }),
        tuning,
        async (runs, order, streams, sample, seed, batchSize, options) => {
          const store = memoryStore();
          const staged = await stageThreads(feedOf(shuffled(runs, order), streams), store, {
            ...options,
            sample,
            seed,
            batchSize,
          });
          const items = groupRootRuns(runs);
          const expected = chunks(sampleItems(items, sample, seed), batchSize);
          expect(staged.loaded).toBe(items.length);
          expect(staged.sampled).toBe(expected.flat().length);
          const keys = await staged.writeBatches();
          expect(keys).toEqual(expected.map((_, i) => RUN_KEYS.itemBatch(i + 1)));
          // Byte for byte what the in-memory path writes.
          for (const [i, key] of keys.entries()) {
            expect(store.objects.get(key)).toBe(JSON.stringify(expected[i]));
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('spills in parts and groups, and never holds a failed write back', async () => {
    // 200 runs of about 100 bytes: 60 threads, and every fifth run on its own.
    const runs: RootRun[] = Array.from({ length: 200 }, (_, i) => ({
      id: `run-${i}`,
      name: 'agent',
      startTime: new Date(Date.UTC(2025, 6, 19, 0, 0, i)),
      inputs: { question: `question ${i} `.repeat(4) },
      outputs: { answer: i },
      metadata: {},
      threadId: i % 5 === 0 ? undefined : `t-${i % 60}`,
    }));
    const store = memoryStore();
    const staged = await stageThreads(feedOf(runs, 3), store, {
      shards: 4,
      flushBytes: 2000,
      groupBytes: 3000,
      sample: null,
      seed: 1,
      batchSize: 5,
    });
    await staged.writeBatches();
    const keys = [...store.objects.keys()];
    const parts = keys.filter((k) => k.startsWith('items/spill/runs/'));
    const groups = new Set(
      keys.filter((k) => k.startsWith('items/spill/groups/')).map((k) => k.split('/')[3]),
    );
    expect(parts.length).toBeGreaterThan(4);
    expect(groups.size).toBeGreaterThan(1);

    const failing = memoryStore();
    failing.write = async () => {
      throw new Error('disk full');
    };
    await expect(
      stageThreads(feedOf(runs, 3), failing, {
        shards: 4,
        flushBytes: 2000,
        sample: null,
        seed: 1,
        batchSize: 5,
      }),
    ).rejects.toThrow('disk full');
  });

  it('reports the problems of the feed and stops on its failure', async () => {
    const problems = [{ location: 'run ?', message: 'a run without an id; skipped' }];
    const staged = await stageThreads(async () => problems, memoryStore(), {
      sample: 10,
      seed: 1,
      batchSize: 5,
    });
    expect(staged.problems).toEqual(problems);
    expect(staged.sampled).toBe(0);
    await expect(
      stageThreads(
        async () => {
          throw new Error('page 17 failed');
        },
        memoryStore(),
        { sample: 10, seed: 1, batchSize: 5 },
      ),
    ).rejects.toThrow('page 17 failed');
  });
});

describe('planSample', () => {
  it('depends on the items, not on the order their index was built in', async () => {
    await fc.assert(
      fc.asyncProperty(
        rootRunsArbitrary(),
        fc.array(fc.integer(), { minLength: 1 }),
        fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
        fc.integer(),
        async (runs, order, sample, seed) => {
          const index = async (list: readonly RootRun[]) => {
            const shards = new ThreadShards(memoryStore(), { prefix: 'p', shards: 3 });
            for (const run of list) await shards.add(run);
            return (await shards.finish()).items;
          };
          const options = { sample, seed, batchSize: 3, groupBytes: 500 };
          const a = planSample(await index(runs), options);
          const b = planSample(await index(shuffled(runs, order)), options);
          expect([...b.places].sort()).toEqual([...a.places].sort());
          expect(b.groups).toBe(a.groups);
          const picked = [...a.places.entries()]
            .sort(([, x], [, y]) => x.position - y.position)
            .map(([key]) => key.replace(/^(thread|run):/, ''));
          expect(picked).toEqual(
            sampleItems(groupRootRuns(runs), sample, seed).map((i: Item) => i.id),
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
