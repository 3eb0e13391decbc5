import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import type { Llm } from '../../lib/llm/types.js';
import { generate } from '../../lib/pipeline/generate.js';
import {
  clusterLevel,
  finalizeRun,
  markFailed,
  prepareRun,
  type StagedDeps,
  summarizeBatch,
} from '../../lib/pipeline/staged/index.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import { createEmbedder } from '../../lib/providers.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

const TOPICS = [
  'refund a double charge',
  'cannot login after a password reset',
  'export projects to csv',
];
const rows = Array.from({ length: 70 }, (_, i) => ({
  id: `r${i}`,
  inputs: { messages: [{ role: 'user', content: `${TOPICS[i % 3]} please (ticket ${i})` }] },
  label: String(i % 3),
}));
const config = {
  source: { file: 'data.jsonl' },
  hierarchy: [6, 3, 2],
  summary_prompt: 'Summarize: {{example.inputs.messages}}',
  partitions: null,
};

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'clio-staged-'));
  await mkdir(join(dir, 'configs-bucket', 'configs'), { recursive: true });
  await writeFile(join(dir, 'configs-bucket', 'configs', 'support.json'), JSON.stringify(config));
  await writeFile(
    join(dir, 'configs-bucket', 'configs', 'data.jsonl'),
    rows.map((r) => JSON.stringify(r)).join('\n'),
  );
  let summaryCalls = 0;
  const deps: StagedDeps = {
    artifacts: new FsStore(join(dir, 'artifacts')),
    configs: new FsStore(join(dir, 'configs-bucket')),
    createEmbedder: () => wordEmbedder,
    createLlm: (_config, embedder): Llm => {
      const inner = new OfflineLlm({ embedder });
      return {
        id: inner.id,
        generative: false,
        ledger: inner.ledger,
        run: (task, input) => {
          if (task.name === 'summarize') summaryCalls++;
          return inner.run(task, input);
        },
      };
    },
    batchSize: 25,
    now: () => new Date('2026-11-25T10:00:00Z'),
  };
  return { dir, deps, summaryCalls: () => summaryCalls };
}

describe('the staged pipeline (one step per Lambda)', () => {
  it('gives the same hierarchy as the in-process generate, through small payloads', async () => {
    const { dir, deps, summaryCalls } = await setup();
    const prepared = await prepareRun({ configKey: 'configs/support.json' }, deps);
    expect(prepared).toMatchObject({ itemCount: 70, batchCount: 3, levelCount: 3 });
    expect(JSON.stringify(prepared).length).toBeLessThan(500);

    const batches = JSON.parse(
      await readFile(join(dir, 'artifacts', prepared.batchKeysKey), 'utf8'),
    );
    for (const { runId, batchKey } of batches) await summarizeBatch({ runId, batchKey }, deps);
    expect(summaryCalls()).toBe(70);
    // A Map child retried after it finished pays for nothing again.
    await summarizeBatch(batches[0], deps);
    expect(summaryCalls()).toBe(70);

    for (let level = 0; level < 3; level++) {
      const out = await clusterLevel({ runId: prepared.runId, level }, deps);
      expect(out.done).toBe(level === 2);
    }
    const finished = await finalizeRun({ runId: prepared.runId }, deps);
    expect(finished.items).toBe(70);
    const runDir = join(dir, 'artifacts', 'runs', prepared.runId);
    const staged = JSON.parse(await readFile(join(runDir, 'hierarchy.json'), 'utf8'));
    expect(JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'))).toMatchObject({
      status: 'done',
    });

    // The CLI's composition of the same stages on the same config.
    const localDir = join(dir, 'configs-bucket', 'configs');
    const loaded = await loadConfig(join(localDir, 'support.json'));
    const store = new FsStore(join(dir, 'local'));
    const summaryCache = await JsonlCache.open(store.path('s.jsonl'), cachedSummary);
    const embeddingCache = await JsonlCache.open(store.path('e.jsonl'), z.string());
    const local = await generate(loaded, {
      llm: new OfflineLlm(),
      embedder: new CachedEmbedder(wordEmbedder, embeddingCache),
      store,
      summaryCache,
    });
    await summaryCache.close();
    await embeddingCache.close();
    expect(staged.clusters).toEqual(local.doc.clusters);
    expect(staged.items).toEqual(local.doc.items);
    // Built-in facets need no model: the offline run has them for every item and cluster.
    expect(staged.items[0].facets).toEqual({ language: 'en', turns: 1, length: 40 });
    expect(staged.items.every((i: { facets?: object }) => i.facets)).toBe(true);
    const top = staged.clusters.filter((c: { level: number }) => c.level === 2);
    expect(top.every((c: { facets?: { turns?: object } }) => c.facets?.turns)).toBe(true);
  });

  it('an offline run says in run.json that question facets were skipped', async () => {
    const { dir, deps } = await setup();
    const facets = { mood: { question: 'How does the user feel?', type: 'category' } };
    await writeFile(
      join(dir, 'configs-bucket', 'configs', 'facets.json'),
      JSON.stringify({ ...config, facets }),
    );
    const prepared = await prepareRun({ configKey: 'configs/facets.json' }, deps);
    const runDir = join(dir, 'artifacts', 'runs', prepared.runId);
    const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    expect(record.warnings).toContainEqual(
      expect.stringMatching(/question facets `mood` were skipped \(the offline provider/),
    );
  });

  it('MarkFailed records the cause on the run', async () => {
    const { deps } = await setup();
    const prepared = await prepareRun({ configKey: 'configs/support.json' }, deps);
    const cause = JSON.stringify({
      errorType: 'ClioError',
      errorMessage: 'no item could be summarized',
    });
    const out = await markFailed(
      { runId: prepared.runId, error: { Error: 'ClioError', Cause: cause } },
      deps,
    );
    expect(out.reason).toBe('ClioError: no item could be summarized');
    const record = JSON.parse(
      (await deps.artifacts.read(`runs/${prepared.runId}/run.json`)) ?? '{}',
    );
    expect(record).toMatchObject({
      status: 'failed',
      error: 'ClioError: no item could be summarized',
    });
  });

  it('Prepare rejects a bad uploaded config with the key named', async () => {
    const { dir, deps } = await setup();
    await writeFile(
      join(dir, 'configs-bucket', 'configs', 'bad.json'),
      JSON.stringify({ ...config, hierarchy: [3, 5] }),
    );
    await expect(prepareRun({ configKey: 'configs/bad.json' }, deps)).rejects.toThrow(
      /hierarchy\[1\]/,
    );
  });

  it('Prepare reads the config version the trigger claimed, and says which one is missing', async () => {
    const { deps } = await setup();
    const asked: unknown[] = [];
    const configs = {
      location: deps.configs.location,
      read: (key: string, options?: { version?: string }) => {
        asked.push([key, options?.version]);
        // Only version v1 of the config is stored; its data file has no versions.
        if (key === 'configs/support.json' && options?.version !== 'v1')
          return Promise.resolve(undefined);
        return deps.configs.read(key);
      },
      write: deps.configs.write.bind(deps.configs),
    };
    const prepared = await prepareRun(
      { configKey: 'configs/support.json', configVersion: 'v1' },
      { ...deps, configs },
    );
    expect(prepared.itemCount).toBe(70);
    expect(asked[0]).toEqual(['configs/support.json', 'v1']);
    await expect(
      prepareRun({ configKey: 'configs/support.json', configVersion: 'v2' }, { ...deps, configs }),
    ).rejects.toThrow('config configs/support.json (version v2) not found');
  });

  it('a Summarize batch that failed after its retries becomes failures, and the run goes on', async () => {
    const { dir, deps } = await setup();
    const prepared = await prepareRun({ configKey: 'configs/support.json' }, deps);
    const batches = JSON.parse(
      await readFile(join(dir, 'artifacts', prepared.batchKeysKey), 'utf8'),
    );
    // The Map tolerated the failure of the last batch: it left no summaries.
    for (const batch of batches.slice(0, -1)) await summarizeBatch(batch, deps);
    for (let level = 0; level < 3; level++)
      await clusterLevel({ runId: prepared.runId, level }, deps);
    const finished = await finalizeRun({ runId: prepared.runId }, deps);
    expect(finished).toMatchObject({ items: 50, failedItems: 20, failedBatches: 1 });
    const record = JSON.parse(
      (await deps.artifacts.read(`runs/${prepared.runId}/run.json`)) ?? '{}',
    );
    expect(record.counts).toMatchObject({ sampled: 70, summarized: 50, failed: 20 });
    expect(record.configKey).toBe('configs/support.json');
    expect(record.failures[0].reason).toMatch(
      /batch items\/batch-00003.json failed after its retries/,
    );
  });
});

describe('what the staged steps check and fit once', () => {
  /** Runs every step of a staged run in order, like the state machine. */
  async function runStaged(deps: StagedDeps, configKey: string) {
    const prepared = await prepareRun({ configKey }, deps);
    const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
    for (const batch of batches) await summarizeBatch(batch, deps);
    for (let level = 0; level < prepared.levelCount; level++)
      await clusterLevel({ runId: prepared.runId, level }, deps);
    await finalizeRun({ runId: prepared.runId }, deps);
    const doc = JSON.parse(
      (await deps.artifacts.read(`runs/${prepared.runId}/hierarchy.json`)) ?? '{}',
    );
    return { prepared, doc };
  }

  it('fits a contextual embedder (TF-IDF) once over the whole run, not per batch', async () => {
    const { dir, deps } = await setup();
    const tfidf = { ...config, hierarchy: [4], embedder: { provider: 'tfidf' } };
    await writeFile(join(dir, 'configs-bucket', 'configs', 'tfidf.json'), JSON.stringify(tfidf));
    const staged = await runStaged(
      { ...deps, createEmbedder: createEmbedder, batchSize: 20 },
      'configs/tfidf.json',
    );

    const loaded = await loadConfig(join(dir, 'configs-bucket', 'configs', 'tfidf.json'));
    const store = new FsStore(join(dir, 'local-tfidf'));
    const summaryCache = await JsonlCache.open(store.path('s.jsonl'), cachedSummary);
    const embedder = createEmbedder(loaded.config);
    try {
      const local = await generate(loaded, {
        llm: new OfflineLlm(),
        embedder,
        store,
        summaryCache,
      });
      expect(staged.doc.clusters).toEqual(local.doc.clusters);
      expect(staged.doc.items.map((i: { path: number[] }) => i.path)).toEqual(
        local.doc.items.map((i) => i.path),
      );
    } finally {
      await summaryCache.close();
      await embedder.close();
    }
  });

  it('refuses llm.batch before spending anything, rather than ignore it', async () => {
    const { dir, deps } = await setup();
    const batched = { ...config, llm: { provider: 'offline', batch: true } };
    await writeFile(join(dir, 'configs-bucket', 'configs', 'batch.json'), JSON.stringify(batched));
    await expect(prepareRun({ configKey: 'configs/batch.json' }, deps)).rejects.toThrow(
      /configs\/batch\.json: llm\.batch \(Message Batches\) is not supported by the AWS pipeline/,
    );
  });

  it('fails a step whose provider differs from the one the run started with', async () => {
    const { dir, deps } = await setup();
    const prepared = await prepareRun({ configKey: 'configs/support.json' }, deps);
    const batches = JSON.parse(
      await readFile(join(dir, 'artifacts', prepared.batchKeysKey), 'utf8'),
    );
    // The key was set between Prepare and this batch: the run must not mix providers.
    const switched: StagedDeps = {
      ...deps,
      createLlm: () => ({ ...new OfflineLlm(), id: 'anthropic:claude-haiku-5-5' }) as Llm,
    };
    await expect(summarizeBatch(batches[0], switched)).rejects.toThrow(
      /started with llm offline@1, but this step would use anthropic:claude-haiku-5-5/,
    );
  });
});

it('a re-run on AWS reuses every embedding of the same items, as locally', async () => {
  const { deps } = await setup();
  let embedded = 0;
  const counting = {
    ...wordEmbedder,
    embed: (texts: readonly string[]) => {
      embedded += texts.length;
      return wordEmbedder.embed(texts);
    },
  };
  const withCount: StagedDeps = { ...deps, createEmbedder: () => counting };
  for (const round of [1, 2]) {
    const prepared = await prepareRun({ configKey: 'configs/support.json' }, withCount);
    const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
    for (const batch of batches) await summarizeBatch(batch, withCount);
    expect(embedded, `round ${round}`).toBe(70);
  }
});
