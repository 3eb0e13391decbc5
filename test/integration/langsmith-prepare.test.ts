import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'langsmith';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config/index.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import { sampleItems } from '../../lib/pipeline/sample.js';
import { prepareConfiguredRun, type StagedDeps } from '../../lib/pipeline/staged/index.js';
import { RUN_KEYS, runStore } from '../../lib/pipeline/staged/layout.js';
import { LangSmithSourceError, loadThreadsSource } from '../../lib/sources/langsmith/index.js';
import type { Item } from '../../lib/sources/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

const KEY = 'test-key-not-real';
const QUERY = '/api/v2/runs/query';
const THREADS = 400;
const window = { start: '2025-07-19T00:00:00.000Z', end: '2025-07-19T06:00:00.000Z' };

let fake: FakeLangSmith;
let client: Client;
beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  fake.addGeneratedProject('big-chat', { threads: THREADS, ...window, runBytes: 1500 });
  client = new Client({ apiUrl: fake.url, apiKey: KEY });
});
afterAll(() => fake.close());

/** Prepare with small shards, lots and groups, so a few hundred threads cross every seam. */
async function prepare(extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'clio-ls-prepare-'));
  const artifacts = new FsStore(join(dir, 'artifacts'));
  const deps: StagedDeps = {
    artifacts,
    configs: new FsStore(join(dir, 'configs')),
    createEmbedder: () => wordEmbedder,
    createLlm: (_config, embedder) => new OfflineLlm({ embedder }),
    batchSize: 25,
    langsmith: client,
    threadStaging: {
      subWindows: 12,
      concurrency: 4,
      shards: 5,
      flushBytes: 200_000,
      groupBytes: 300_000,
    },
  };
  const config = parseConfig(
    {
      project_name: 'big-chat',
      start_time: window.start,
      end_time: window.end,
      hierarchy: [5, 2],
      summary_prompt: 'Summarize: {{run.inputs}}',
      partitions: null,
      ...extra,
    },
    { file: 'config.json', dir: '/' },
  );
  const runId = async () => (await readdir(join(dir, 'artifacts', 'runs')))[0] ?? '';
  return { artifacts, config, run: () => prepareConfiguredRun(config, deps), runId };
}

async function batchesOf(artifacts: FsStore, runId: string): Promise<Item[][]> {
  const store = runStore(artifacts, runId);
  const list = JSON.parse((await store.read(RUN_KEYS.batchList)) ?? '[]') as {
    batchKey: string;
  }[];
  return Promise.all(
    list.map(async ({ batchKey }) => JSON.parse((await store.read(batchKey)) ?? '') as Item[]),
  );
}

/** The window as the in-memory path reads it: one page after another, grouped at once. */
const inMemory = async () =>
  (
    await loadThreadsSource({
      projectName: 'big-chat',
      window: { start: new Date(window.start), end: new Date(window.end) },
      client,
      paging: { subWindows: 1 },
    })
  ).items;

describe('Prepare on a tracing window (streamed through the run store)', () => {
  it('makes every thread exactly one item, in the batches the in-memory path writes', async () => {
    const { artifacts, run } = await prepare();
    const prepared = await run();
    expect(prepared.itemCount).toBe(THREADS);
    const batches = await batchesOf(artifacts, prepared.runId);
    expect(batches.map((b) => b.length)).toEqual(Array(THREADS / 25).fill(25));
    const ids = batches.flat().map((i) => i.id);
    expect(new Set(ids).size).toBe(THREADS);
    expect(new Set(ids)).toEqual(
      new Set(
        Array.from({ length: THREADS }, (_, i) => `thread-${i.toString(16).padStart(8, '0')}`),
      ),
    );
    expect(batches.flat()).toEqual(JSON.parse(JSON.stringify(await inMemory())));
    const record = await readRunRecord(runStore(artifacts, prepared.runId));
    expect(record?.counts).toMatchObject({ loaded: THREADS, sampled: THREADS });
    expect(record?.source).toContain('LangSmith project "big-chat"');
    // The spilled window is scratch: gone once the batches are written.
    const kept = await readdir(artifacts.path(join('runs', prepared.runId, 'items')));
    expect(kept).not.toContain('spill');
    expect(kept.filter((k) => k.startsWith('batch-'))).toHaveLength(THREADS / 25);
  });

  it('writes exactly the seeded sample, in source order', async () => {
    const { artifacts, run } = await prepare({ sample: 130, seed: 5 });
    const prepared = await run();
    expect(prepared.itemCount).toBe(130);
    const batches = await batchesOf(artifacts, prepared.runId);
    expect(batches.map((b) => b.length)).toEqual([25, 25, 25, 25, 25, 5]);
    const expected = sampleItems(await inMemory(), 130, 5);
    expect(batches.flat()).toEqual(JSON.parse(JSON.stringify(expected)));
  });

  it('fails the run, saying so, when a page fails after its retries', async () => {
    fake.requests.length = 0;
    // One sub-window's page fails however often it is asked for; the others page fine.
    const stop = fake.failWhile(
      QUERY,
      500,
      (body) => (body as { min_start_time?: string }).min_start_time === '2025-07-19T01:30:00.000Z',
    );
    try {
      const { artifacts, run, runId } = await prepare();
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LangSmithSourceError);
      expect((error as Error).message).toMatch(
        /LangSmith request failed while querying the runs of project "big-chat"/,
      );
      const record = await readRunRecord(runStore(artifacts, await runId()));
      expect(record?.status).toBe('failed');
      expect(record?.error).toMatch(/querying the runs of project "big-chat"/);
      // The SDK retried it (7 attempts) before giving up.
      const asked = fake
        .requestsTo(QUERY)
        .filter((r) =>
          (r.body as { min_start_time?: string }).min_start_time?.startsWith('2025-07-19T01:30'),
        );
      expect(asked.length).toBe(7);
    } finally {
      stop();
    }
  });
});
