import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { z } from 'zod';
import { BATCH_PENDING_ERROR } from '../../lambdas/contract.js';
import { loadConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { AnthropicLlm, createAnthropicBatches } from '../../lib/llm/anthropic.js';
import { MemoryBudgetAccount, type UsageLedger } from '../../lib/llm/ledger.js';
import { generate } from '../../lib/pipeline/generate.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import {
  clusterLevel,
  finalizeRun,
  markFailed,
  prepareRun,
  type StagedDeps,
  summarizeBatch,
} from '../../lib/pipeline/staged/index.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import { createLedger } from '../../lib/providers.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { withPrefix } from '../../lib/store/prefixed.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { billedUsd, TEN_PERCENT_FAULTS } from '../helpers/bill.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/**
 * The same config through `generate` and through the staged steps the Lambdas run, each against
 * its own copy of one seeded stand-in (a priced model, random schema-valid replies, 10 % faults):
 * the same clusters for every item, and the same bill, failures and warnings, to the cent.
 */
const KEY = 'test-key-not-real-0123456789';
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];
const FAULTS = TEN_PERCENT_FAULTS;
const config = {
  source: { file: 'data.jsonl' },
  hierarchy: [6, 3],
  summary_prompt: 'Summarize: {{example.inputs}}',
  llm: { provider: 'anthropic' },
};

let dir = '';
let local: FakeAnthropic;
let aws: FakeAnthropic;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-staged-money-'));
  await mkdir(join(dir, 'configs'), { recursive: true });
  await writeFile(join(dir, 'configs', 'run.json'), JSON.stringify(config));
  const rows = Array.from({ length: 90 }, (_, i) => ({
    id: `r${i}`,
    text: `${TOPICS[i % 3]} ${i}`,
  }));
  await writeFile(
    join(dir, 'configs', 'data.jsonl'),
    rows.map((r) => JSON.stringify(r)).join('\n'),
  );
  local = await startFakeAnthropic({ answer: 'random', seed: 4, faults: FAULTS });
  aws = await startFakeAnthropic({ answer: 'random', seed: 4, faults: FAULTS });
});
afterAll(async () => {
  await Promise.all([local.close(), aws.close()]);
  await rm(dir, { recursive: true, force: true });
});

const llmFor = (fake: FakeAnthropic, ledger: UsageLedger) =>
  new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: { baseMs: 1, maxMs: 2 }, ledger });

const assignments = async (file: string) =>
  (parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[])
    .map((r) => [r.example_id, r.base_cluster_id, r.top_cluster_id].join(' '))
    .sort();

it('an AWS run and a local run of one config agree on clusters, usage, cost and failures', async () => {
  const loaded = await loadConfig(join(dir, 'configs', 'run.json'));

  const store = new FsStore(join(dir, 'local'));
  const summaryCache = await JsonlCache.open(store.path('s.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('e.jsonl'), z.string());
  const mine = await generate(loaded, {
    llm: llmFor(local, createLedger(loaded.config)),
    embedder: new CachedEmbedder(wordEmbedder, embeddingCache),
    store,
    summaryCache,
  });
  await Promise.all([summaryCache.close(), embeddingCache.close()]);

  // The staged steps, as the Lambdas run them: a fresh provider (and ledger) per step.
  const deps: StagedDeps = {
    artifacts: new FsStore(join(dir, 'artifacts')),
    configs: new FsStore(dir),
    createEmbedder: () => wordEmbedder,
    createLlm: (cfg) => llmFor(aws, createLedger(cfg)),
    batchSize: 25,
  };
  const prepared = await prepareRun({ configKey: 'configs/run.json' }, deps);
  const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
  for (const batch of batches) await summarizeBatch(batch, deps);
  for (let level = 0; level < prepared.levelCount; level++)
    await clusterLevel({ runId: prepared.runId, level }, deps);
  await finalizeRun({ runId: prepared.runId }, deps);
  const theirs = await readRunRecord(withPrefix(deps.artifacts, `runs/${prepared.runId}`));

  expect(local.counts.refusal + local.counts.malformed).toBeGreaterThan(0);
  expect(await assignments(join(dir, 'artifacts', 'runs', prepared.runId, 'combined.csv'))).toEqual(
    await assignments(join(dir, 'local', 'combined.csv')),
  );
  expect(theirs?.usage).toEqual(mine.record.usage);
  expect(theirs?.usage).toEqual(aws.billed);
  expect(mine.record.usage).toEqual(local.billed);
  expect(theirs?.costUsd).toBeCloseTo(mine.record.costUsd, 10);
  expect(mine.record.costUsd).toBeGreaterThan(0);
  for (const stage of ['summarize', 'cluster']) {
    expect(theirs?.costByStage[stage]).toBeCloseTo(mine.record.costByStage[stage] ?? -1, 10);
  }
  const sorted = (fs: readonly { stage: string; id: string; reason: string }[] = []) =>
    fs.map((f) => `${f.stage} ${f.id} ${f.reason}`).sort();
  expect(sorted(theirs?.failures)).toEqual(sorted(mine.record.failures));
  expect([...(theirs?.warnings ?? [])].sort()).toEqual([...mine.record.warnings].sort());
  expect(theirs?.counts).toEqual(mine.record.counts);
});

it('with a budget of 40 % of the run, both stop with status "stopped" and bill no more', async () => {
  const full = billedUsd(local);
  expect(full).toBeGreaterThan(0);
  const budget = full * 0.4;
  const budgeted = { ...config, llm: { provider: 'anthropic', budget_usd: budget } };
  await writeFile(join(dir, 'configs', 'budget.json'), JSON.stringify(budgeted));
  const [mineFake, theirFake] = [
    await startFakeAnthropic({ answer: 'random', seed: 4, faults: FAULTS }),
    await startFakeAnthropic({ answer: 'random', seed: 4, faults: FAULTS }),
  ];
  try {
    const loaded = await loadConfig(join(dir, 'configs', 'budget.json'));
    const store = new FsStore(join(dir, 'local-budget'));
    const summaryCache = await JsonlCache.open(store.path('s.jsonl'), cachedSummary);
    const mine = await generate(loaded, {
      llm: llmFor(mineFake, createLedger(loaded.config)),
      embedder: wordEmbedder,
      store,
      summaryCache,
    }).catch((error: unknown) => error as Error);
    await summaryCache.close();
    expect((mine as Error).name).toBe('BudgetExceededError');
    expect((await readRunRecord(store))?.status).toBe('stopped');
    expect(billedUsd(mineFake)).toBeLessThanOrEqual(budget);

    // The staged steps each have their own provider; the run's budget is one shared account.
    const account = new MemoryBudgetAccount();
    const deps: StagedDeps = {
      artifacts: new FsStore(join(dir, 'artifacts-budget')),
      configs: new FsStore(dir),
      createEmbedder: () => wordEmbedder,
      createLlm: (cfg) => llmFor(theirFake, createLedger(cfg, account)),
      batchSize: 25,
    };
    const prepared = await prepareRun({ configKey: 'configs/budget.json' }, deps);
    const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
    // Batches run at once, as the Map runs them: none is a failure, the run just stops.
    const outcomes = await Promise.all(batches.map((b: never) => summarizeBatch(b, deps)));
    expect(outcomes.length).toBe(batches.length);
    const stop = await clusterLevel({ runId: prepared.runId, level: 0 }, deps).catch(
      (error: unknown) => error as Error,
    );
    expect((stop as Error).name).toBe('BudgetExceededError');
    const cause = JSON.stringify({
      errorType: 'BudgetExceededError',
      errorMessage: (stop as Error).message,
    });
    await markFailed(
      { runId: prepared.runId, error: { Error: 'BudgetExceededError', Cause: cause } },
      deps,
    );
    const theirs = await readRunRecord(withPrefix(deps.artifacts, `runs/${prepared.runId}`));
    expect(theirs?.status).toBe('stopped');
    expect(theirs?.error).toMatch(/llm\.budget_usd/);
    expect(billedUsd(theirFake)).toBeLessThanOrEqual(budget);
    expect(theirs?.costUsd).toBeCloseTo(billedUsd(theirFake), 10);
  } finally {
    await Promise.all([mineFake.close(), theirFake.close()]);
  }
});

it('llm.batch on the staged steps: submitted once, polled by retries, priced at the batch rate', async () => {
  const fake = await startFakeAnthropic({ answer: 'random', seed: 4, pollsUntilEnded: 2 });
  try {
    const batched = { ...config, llm: { provider: 'anthropic', batch: true } };
    await writeFile(join(dir, 'configs', 'batched.json'), JSON.stringify(batched));
    const deps: StagedDeps = {
      artifacts: new FsStore(join(dir, 'artifacts-batched')),
      configs: new FsStore(dir),
      createEmbedder: () => wordEmbedder,
      createLlm: (cfg) => llmFor(fake, createLedger(cfg)),
      createSummaryBatches: (_cfg, llm) =>
        createAnthropicBatches({ apiKey: KEY, baseURL: fake.url }, undefined, llm.ledger),
      waitForBatchResults: false,
      batchSize: 45,
    };
    const prepared = await prepareRun({ configKey: 'configs/batched.json' }, deps);
    const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
    for (const batch of batches) {
      // First invocation: submitted, not ended yet; Step Functions retries it on a timer.
      await expect(summarizeBatch(batch, deps)).rejects.toMatchObject({
        name: BATCH_PENDING_ERROR,
      });
      await summarizeBatch(batch, deps);
    }
    expect(fake.batchCreates).toBe(batches.length);
    for (let level = 0; level < prepared.levelCount; level++)
      await clusterLevel({ runId: prepared.runId, level }, deps);
    await finalizeRun({ runId: prepared.runId }, deps);
    const run = await readRunRecord(withPrefix(deps.artifacts, `runs/${prepared.runId}`));
    expect(run?.status).toBe('done');
    // Batch replies are not corrected: a random one that does not validate is that item's failure.
    expect((run?.counts.summarized ?? 0) + (run?.counts.failed ?? 0)).toBe(90);
    const batchBill = billedUsd(fake, { batch: true });
    expect(run?.costByStage.summarize).toBeCloseTo(batchBill, 10);
    expect(run?.usage).toEqual(fake.billed);
  } finally {
    await fake.close();
  }
});

it('llm.batch with a budget on the staged steps: holds settled across retries, never past it', async () => {
  const batched = (budget: number) => ({
    ...config,
    llm: { provider: 'anthropic', batch: true, budget_usd: budget },
  });
  for (const [name, budget] of [
    ['roomy', 10],
    ['tight', 0.004],
  ] as const) {
    const fake = await startFakeAnthropic({ answer: 'random', seed: 4, pollsUntilEnded: 2 });
    try {
      await writeFile(join(dir, 'configs', `${name}.json`), JSON.stringify(batched(budget)));
      const account = new MemoryBudgetAccount();
      const deps: StagedDeps = {
        artifacts: new FsStore(join(dir, `artifacts-${name}`)),
        configs: new FsStore(dir),
        createEmbedder: () => wordEmbedder,
        createLlm: (cfg) => llmFor(fake, createLedger(cfg, account)),
        createSummaryBatches: (_cfg, llm) =>
          createAnthropicBatches({ apiKey: KEY, baseURL: fake.url }, undefined, llm.ledger),
        waitForBatchResults: false,
        batchSize: 45,
      };
      const prepared = await prepareRun({ configKey: `configs/${name}.json` }, deps);
      const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
      for (const batch of batches) {
        // Retried as Step Functions would until the step finishes; each retry is a new process.
        // A tight budget submits in waves: what the worst cases allow, then the rest once the
        // finished wave's holds are settled.
        for (let attempt = 0; attempt < 300; attempt++) {
          const outcome = await summarizeBatch(batch, deps).catch((e: Error) => e);
          if (!(outcome instanceof Error)) break;
          expect(outcome.name, name).toBe(BATCH_PENDING_ERROR);
        }
      }
      // Every hold a step made was given back by the step that folded its result.
      expect(account.heldUsd, name).toBeCloseTo(0, 10);
      expect(billedUsd(fake), name).toBeLessThanOrEqual(budget);
      const level0 = await clusterLevel({ runId: prepared.runId, level: 0 }, deps).catch(
        (e: Error) => e,
      );
      if (name === 'tight') expect((level0 as Error).name).toBe('BudgetExceededError');
      else expect(level0).not.toBeInstanceOf(Error);
      // Waves folded by invocations that then ended with BatchPending are on the bill too.
      const run = await readRunRecord(withPrefix(deps.artifacts, `runs/${prepared.runId}`));
      expect(run?.usage, name).toEqual(fake.billed);
    } finally {
      await fake.close();
    }
  }
});
