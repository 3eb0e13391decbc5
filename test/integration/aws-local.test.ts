import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { billedUsd, TEN_PERCENT_FAULTS } from '../helpers/bill.js';
import { runCli, runScript } from '../helpers/cli.js';

/**
 * `npm run aws:local` (the synthesized state machine, the real handlers, local S3 and DynamoDB)
 * and `open-clio generate` on one config, each against its own copy of a seeded stand-in with a
 * priced model and 10 % faults: the same files, assignments, bill and failures.
 */
const KEY = 'test-key-not-real-0123456789';
const FAULTS = TEN_PERCENT_FAULTS;
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];

let dir = '';
let forLocal: FakeAnthropic;
let forAws: FakeAnthropic;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-aws-local-'));
  const rows = Array.from({ length: 60 }, (_, i) => ({
    id: `r${i}`,
    text: `${TOPICS[i % 3]} ${i}`,
  }));
  await writeFile(join(dir, 'data.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  for (const [name, save] of [
    ['local.json', 'local_results'],
    ['aws.json', 'aws_results'],
  ]) {
    await writeFile(join(dir, name as string), JSON.stringify(configFor(save as string)));
  }
  forLocal = await startFakeAnthropic({ answer: 'random', seed: 8, faults: FAULTS });
  forAws = await startFakeAnthropic({ answer: 'random', seed: 8, faults: FAULTS });
});
afterAll(async () => {
  await Promise.all([forLocal.close(), forAws.close()]);
  await rm(dir, { recursive: true, force: true });
});

const configFor = (save: string, llm: Record<string, unknown> = {}) => ({
  source: { file: 'data.jsonl' },
  hierarchy: [6, 3],
  summary_prompt: 'Summarize: {{example.inputs}}',
  save_path: save,
  llm: { provider: 'anthropic', ...llm },
  embedder: { provider: 'tfidf' },
});

const assignments = async (folder: string) =>
  (
    parse(await readFile(join(dir, folder, 'combined.csv'), 'utf8'), { columns: true }) as Record<
      string,
      string
    >[]
  )
    .map((r) => `${r.example_id} ${r.base_cluster_id} ${r.top_cluster_id}`)
    .sort();
const record = async (folder: string) =>
  JSON.parse(await readFile(join(dir, folder, 'run.json'), 'utf8'));

it('runs a config through the state machine locally and writes what generate writes', async () => {
  const env = (fake: FakeAnthropic) => ({
    ANTHROPIC_API_KEY: KEY,
    ANTHROPIC_BASE_URL: fake.url,
    HOME: dir,
  });
  const local = await runCli(
    ['generate', '--config', 'local.json', '--no-viz', '--quiet'],
    dir,
    env(forLocal),
  );
  expect(local.code, local.stderr).toBe(0);
  const aws = await runScript('scripts/aws-local.ts', ['--config', 'aws.json'], dir, {
    ...env(forAws),
    INIT_CWD: dir,
  });
  expect(aws.code, aws.stderr).toBe(0);
  expect(aws.stdout).toMatch(/Prepare → Summarize → FirstLevel → ClusterLevel/);
  expect(aws.stdout + aws.stderr).not.toContain(KEY);

  expect(await assignments('aws_results')).toEqual(await assignments('local_results'));
  const [mine, theirs] = [await record('local_results'), await record('aws_results')];
  expect(theirs.status).toBe('done');
  expect(theirs.usage).toEqual(mine.usage);
  expect(theirs.usage).toEqual(forAws.billed);
  expect(theirs.costUsd).toBeCloseTo(mine.costUsd, 10);
  expect(mine.costUsd).toBeGreaterThan(0);
  const reasons = (r: { failures: { stage: string; id: string; reason: string }[] }) =>
    r.failures.map((f) => `${f.stage} ${f.id} ${f.reason}`).sort();
  expect(reasons(theirs)).toEqual(reasons(mine));
  expect([...theirs.warnings].sort()).toEqual([...mine.warnings].sort());
}, 120_000);

it('stops a run at its budget across all the Lambdas, billing no more than it', async () => {
  const budget = billedUsd(forAws) * 0.4;
  expect(budget).toBeGreaterThan(0);
  await writeFile(
    join(dir, 'budget.json'),
    JSON.stringify(configFor('budget_results', { budget_usd: budget })),
  );
  const fake = await startFakeAnthropic({ answer: 'random', seed: 8, faults: FAULTS });
  try {
    const aws = await runScript('scripts/aws-local.ts', ['--config', 'budget.json'], dir, {
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      HOME: dir,
      INIT_CWD: dir,
    });
    expect(aws.code).toBe(1);
    expect(aws.stderr).toMatch(/the execution failed/);
    const run = await record('budget_results');
    expect(run.status).toBe('stopped');
    expect(run.error).toMatch(/llm\.budget_usd/);
    expect(billedUsd(fake)).toBeLessThanOrEqual(budget);
    expect(run.costUsd).toBeCloseTo(billedUsd(fake), 10);
  } finally {
    await fake.close();
  }
}, 120_000);

it('with llm.batch, both submit Message Batches and bill the same at the batch price', async () => {
  const local = await startFakeAnthropic({ answer: 'random', seed: 9 });
  const aws = await startFakeAnthropic({ answer: 'random', seed: 9 });
  try {
    await writeFile(
      join(dir, 'b-local.json'),
      JSON.stringify(configFor('b_local', { batch: true })),
    );
    await writeFile(join(dir, 'b-aws.json'), JSON.stringify(configFor('b_aws', { batch: true })));
    const env = (fake: FakeAnthropic) => ({
      ANTHROPIC_API_KEY: KEY,
      ANTHROPIC_BASE_URL: fake.url,
      HOME: dir,
      INIT_CWD: dir,
    });
    const mine = await runCli(
      ['generate', '--config', 'b-local.json', '--no-viz', '--quiet'],
      dir,
      env(local),
    );
    expect(mine.code, mine.stderr).toBe(0);
    const theirs = await runScript(
      'scripts/aws-local.ts',
      ['--config', 'b-aws.json'],
      dir,
      env(aws),
    );
    expect(theirs.code, theirs.stderr).toBe(0);
    expect(local.batchCreates).toBeGreaterThan(0);
    expect(aws.batchCreates).toBeGreaterThan(0);
    expect(await assignments('b_aws')).toEqual(await assignments('b_local'));
    const [a, b] = [await record('b_local'), await record('b_aws')];
    expect(b.usage).toEqual(a.usage);
    expect(b.costByStage.summarize).toBeCloseTo(a.costByStage.summarize, 10);
    const batchBill = billedUsd(aws, { batch: true });
    expect(b.costByStage.summarize).toBeCloseTo(batchBill, 10);
  } finally {
    await Promise.all([local.close(), aws.close()]);
  }
}, 120_000);
