import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import {
  clusterLevel,
  prepareRun,
  type StagedDeps,
  summarizeBatch,
} from '../../lib/pipeline/staged/index.js';
import { createLedger } from '../../lib/providers.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { withPrefix } from '../../lib/store/prefixed.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { billedUsd } from '../helpers/bill.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/**
 * A ClusterLevel step retried (its Lambda timed out after naming and grouping, or failed on
 * its last write) asks the model nothing it already paid for: the stand-in bills the level once.
 */
const KEY = 'test-key-not-real-0123456789';
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];

let dir = '';
let fake: FakeAnthropic;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-cluster-retry-'));
  await mkdir(join(dir, 'configs'), { recursive: true });
  const config = {
    source: { file: 'data.jsonl' },
    hierarchy: [6, 3],
    summary_prompt: 'Summarize: {{example.inputs}}',
    llm: { provider: 'anthropic' },
  };
  await writeFile(join(dir, 'configs', 'run.json'), JSON.stringify(config));
  const rows = Array.from({ length: 60 }, (_, i) => ({
    id: `r${i}`,
    text: `${TOPICS[i % 3]} ${i}`,
  }));
  await writeFile(
    join(dir, 'configs', 'data.jsonl'),
    rows.map((r) => JSON.stringify(r)).join('\n'),
  );
  fake = await startFakeAnthropic({ answer: 'random', seed: 11 });
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

it('a retried ClusterLevel reuses the names and groupings it paid for, and writes the same level', async () => {
  const deps: StagedDeps = {
    artifacts: new FsStore(join(dir, 'artifacts')),
    configs: new FsStore(dir),
    createEmbedder: () => wordEmbedder,
    createLlm: (cfg) =>
      new AnthropicLlm({
        apiKey: KEY,
        baseURL: fake.url,
        retry: { baseMs: 1, maxMs: 2 },
        ledger: createLedger(cfg),
      }),
    batchSize: 30,
  };
  const prepared = await prepareRun({ configKey: 'configs/run.json' }, deps);
  const batches = JSON.parse((await deps.artifacts.read(prepared.batchKeysKey)) ?? '[]');
  for (const batch of batches) await summarizeBatch(batch, deps);
  const runDir = join(dir, 'artifacts', 'runs', prepared.runId);
  const store = withPrefix(deps.artifacts, `runs/${prepared.runId}`);

  for (const level of [0, 1]) {
    const before = fake.billedReplies.length;
    await clusterLevel({ runId: prepared.runId, level }, deps);
    const paid = fake.billedReplies.length - before;
    expect(paid, `level ${level} asked the model`).toBeGreaterThan(0);
    const written = await readFile(join(runDir, 'levels', `level-${level}.json`), 'utf8');
    const spent = (await readRunRecord(store))?.costUsd ?? 0;

    const bill = billedUsd(fake);
    await clusterLevel({ runId: prepared.runId, level }, deps);
    expect(fake.billedReplies.length, `level ${level} retried`).toBe(before + paid);
    expect(billedUsd(fake)).toBe(bill);
    expect(await readFile(join(runDir, 'levels', `level-${level}.json`), 'utf8')).toBe(written);
    // Nothing billed, nothing added to the run's cost.
    expect((await readRunRecord(store))?.costUsd).toBe(spent);
  }
  expect((await readRunRecord(store))?.costUsd).toBeCloseTo(billedUsd(fake), 10);
});
