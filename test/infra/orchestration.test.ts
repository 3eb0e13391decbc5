import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { summaryCacheKey } from '../../lib/pipeline/staged/layout.js';
import { tableKeys } from '../../lib/store/dynamo-hierarchy.js';
import { type LocalApp, loadStepHandlers, localAppMachine } from './local-app.js';
import {
  type LambdaCall,
  type LocalExecution,
  ruleInput,
  s3ObjectCreated,
  type TemplateJson,
} from './local-sfn.js';
import { synthApp } from './synth.js';
import { BUCKETS, startWorld, TABLE, type World } from './world.js';

/**
 * The synthesized state machine, executed: every Task state runs the real handler (or the real
 * DynamoDB/S3 call) against the emulators, so the definition's paths, retries, catches and
 * payload wiring are exercised together with the code they call.
 */

// 60 items in batches of 25 (world.ts): 3 batches, so one failed batch is 33% of the Map, and
// with 2 in flight the Map queues one as MaxConcurrency does.
const TOLERATED = 40;
const CONCURRENCY = 2;

let world: World;
let closeLocal: (() => void) | undefined;
let app: LocalApp;
let template: TemplateJson;
let names: Record<string, string>;

beforeAll(async () => {
  world = await startWorld();
  const handlers = await loadStepHandlers();
  (await import('../../lambdas/runtime.js')).logger.setLogLevel('SILENT');
  app = localAppMachine(
    synthApp({
      explorer: { public: true },
      summarizeConcurrency: CONCURRENCY,
      toleratedFailurePercentage: TOLERATED,
    }),
    handlers,
    {
      buckets: BUCKETS,
      table: TABLE,
      s3: world.s3.client,
      dynamoEndpoint: world.dynamo.endpoint,
    },
  );
  ({ template, names } = app);
  closeLocal = app.close;
}, 60_000);

afterAll(async () => {
  closeLocal?.();
  await world?.close();
});

/** The EventBridge event for a config as it now is in the configs bucket. */
async function uploaded(key: string, body?: string) {
  const Bucket = BUCKETS.configs;
  if (body !== undefined)
    await world.s3.client.send(new PutObjectCommand({ Bucket, Key: key, Body: body }));
  const {
    ETag = '',
    ContentLength = 0,
    VersionId,
  } = await world.s3.client.send(new HeadObjectCommand({ Bucket, Key: key }));
  return s3ObjectCreated(Bucket, key, ETag.replaceAll('"', ''), ContentLength, VersionId);
}

/** Starts the execution the stack's rule would start for an upload. */
async function startFromUpload(key: string, body?: string) {
  const event = await uploaded(key, body);
  const input = ruleInput(template, names, event) as { configKey: string; trigger: string };
  expect(input).toEqual({
    configKey: key,
    // s3rver keeps no versions; a versioned bucket's event names the one uploaded.
    configVersion: event.detail.object['version-id'] ?? null,
    trigger: `upload#${event.detail.object.etag}`,
  });
  return { input, run: await app.start(input) };
}

/** The run an execution made (every step after Prepare is given its id). */
const runIdOf = (run: LocalExecution) => String(run.calls.find((c) => c.event.runId)?.event.runId);
const callsTo = (run: LocalExecution, state: string) => run.calls.filter((c) => c.state === state);
const batchOf = (call: LambdaCall) => String(call.event.batchKey);
const artifact = async (runId: string, key: string) =>
  world.getText(BUCKETS.artifacts, `runs/${runId}/${key}`);
const claimOf = async (input: { configKey: string; trigger: string }) =>
  (
    await world.dynamo.client.send(
      new GetCommand({ TableName: TABLE, Key: tableKeys.trigger(input.configKey, input.trigger) }),
    )
  ).Item;
/** The retry budget the definition gives a state for an error name. */
const maxAttempts = (state: string, error: string) => {
  const child = app.machine.definition.States.Summarize?.ItemProcessor as {
    States: Record<string, { Retry?: { ErrorEquals: string[]; MaxAttempts?: number }[] }>;
  };
  const retrier = child.States[state]?.Retry?.find((r) => r.ErrorEquals.includes(error));
  return retrier?.MaxAttempts ?? 0;
};
const transient = () =>
  Object.assign(new Error('RateLimitError: 429 (injected)'), { name: 'TransientError' });

/** Runs `during` while `Bucket` does not exist: a step writing to it fails as on AWS. */
async function withoutBucket<T>(Bucket: string, during: () => Promise<T>): Promise<T> {
  const s3 = world.s3.client;
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket }));
  for (const { Key } of Contents) await s3.send(new DeleteObjectCommand({ Bucket, Key }));
  await s3.send(new DeleteBucketCommand({ Bucket }));
  try {
    return await during();
  } finally {
    await s3.send(new CreateBucketCommand({ Bucket }));
  }
}

describe('a config upload', () => {
  it('(a) runs from the S3 event to a finished run: summaries, hierarchy in DynamoDB, outputs in S3', async () => {
    const { input, run } = await startFromUpload('configs/support.json');
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const levels = 'FirstLevel ClusterLevel AllLevelsDone NextLevel ClusterLevel AllLevelsDone';
    expect(run.path.join(' ')).toBe(
      `Triggered ClaimTrigger Claimed Prepare Summarize ${levels} Finalize Done`,
    );
    const runId = runIdOf(run);
    // Exactly the state AWS would end with: the local Map rewrite leaves nothing behind.
    expect(Object.keys(run.output ?? {}).sort()).toEqual([
      'claim',
      'configKey',
      'configVersion',
      'level',
      'next',
      'prepare',
      'result',
      'trigger',
    ]);
    expect(run.output).toMatchObject({
      prepare: { itemCount: 60, batchCount: 3, levelCount: 2 },
      result: { runId, items: 60 },
    });
    expect(run.calls.filter((c) => c.error)).toEqual([]);
    expect(callsTo(run, 'Prepare')[0]?.event).toEqual({
      start: { ...input, claim: { claimed: true } },
      executionArn: run.executionArn,
    });
    expect(callsTo(run, 'SummarizeBatch').map(batchOf).sort()).toEqual(
      [1, 2, 3].map((n) => `items/batch-0000${n}.json`),
    );
    expect(callsTo(run, 'ClusterLevel').map((c) => c.event)).toEqual([
      { runId, level: 0 },
      { runId, level: 1 },
    ]);

    const stored = await world.runs.getRun(runId);
    expect(stored).toMatchObject({
      status: 'done',
      failureCount: 0,
      counts: { sampled: 60, summarized: 60, clustered: 60 },
    });
    const clusters = await world.runs.listClusters(runId);
    expect(clusters.filter((c) => c.level === 1)).toHaveLength(2);
    expect(stored?.levels?.reduce((n, l) => n + l.count, 0)).toBe(clusters.length);
    expect(JSON.parse(await artifact(runId, 'hierarchy.json')).items).toHaveLength(60);
    expect(JSON.parse(await artifact(runId, 'run.json'))).toMatchObject({ status: 'done' });
    for (const csv of ['combined.csv', 'level_0_clusters.csv', 'level_1_clusters.csv'])
      expect((await artifact(runId, csv)).split('\n').length, csv).toBeGreaterThan(2);
    expect(await claimOf(input)).toMatchObject({
      executionArn: expect.stringContaining(':execution:'),
    });
    // Only keys, counts and ids travel between states, whatever the number of items.
    expect(run.maxPayloadBytes).toBeLessThan(1024);
  });

  it('(b) the same upload again, or an event delivered twice, ends in AlreadyStarted', async () => {
    const runs = (await world.runs.listRuns()).length;
    const { run } = await startFromUpload('configs/support.json');
    expect(run).toMatchObject({
      status: 'SUCCEEDED',
      path: ['Triggered', 'ClaimTrigger', 'Claimed', 'AlreadyStarted'],
    });
    expect(run.calls.map((c) => c.state)).toEqual(['ClaimTrigger']);
    expect(await world.runs.listRuns()).toHaveLength(runs);
    // Nor does a config the rule does not watch start anything.
    const elsewhere = await uploaded('configs/data.jsonl');
    expect(ruleInput(template, names, elsewhere)).toBeUndefined();
  });
});

describe('a failing Summarize batch', () => {
  it('(c) is retried, then its items are recorded as failures and the run completes', async () => {
    const failing = 'items/batch-00002.json';
    const run = await app.start({ configKey: 'configs/other.json' }, async (call, invoke) => {
      if (call.state === 'SummarizeBatch' && batchOf(call) === failing) throw transient();
      return invoke();
    });
    expect(run.status, run.cause).toBe('SUCCEEDED');
    const attempts = callsTo(run, 'SummarizeBatch').filter((c) => batchOf(c) === failing);
    expect(attempts).toHaveLength(1 + maxAttempts('SummarizeBatch', 'TransientError'));
    const runId = runIdOf(run);
    const stored = await world.runs.getRun(runId);
    expect(stored).toMatchObject({
      status: 'done',
      failureCount: 25,
      counts: { sampled: 60, summarized: 35, clustered: 35 },
    });
    expect(stored?.failures[0]?.reason).toBe(`batch ${failing} failed after its retries`);
    expect(JSON.parse(await artifact(runId, 'hierarchy.json')).items).toHaveLength(35);
  });

  it('(c) fails the execution at the Map once more batches fail than tolerated; the lifecycle rule closes the run for a redrive', async () => {
    const run = await app.start({ configKey: 'configs/other.json' }, async (call, invoke) => {
      if (call.state === 'SummarizeBatch' && batchOf(call) !== 'items/batch-00001.json')
        throw Object.assign(new Error('reply did not match the schema'), { name: 'LlmReplyError' });
      return invoke();
    });
    expect(run).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: expect.stringMatching(/^2 of 3 /),
    });
    // Not a transient error: one attempt per batch.
    expect(callsTo(run, 'SummarizeBatch')).toHaveLength(3);
    // Failed where a redrive re-runs only the failed batches, not in a terminal Fail state.
    expect(run.path.at(-1)).toBe('Summarize');
    expect(callsTo(run, 'MarkFailed')).toEqual([]);
    const stored = await world.runs.getRun(runIdOf(run));
    expect(stored?.status).toBe('failed');
    expect(stored?.error).toContain(`States.ExceedToleratedFailureThreshold: ${run.cause}`);
    expect(stored?.error).toContain(`redrive-execution --execution-arn ${run.executionArn}`);
  });
});

describe('an unhandled error', () => {
  it('(d) in Prepare fails the execution with its cause and releases the claim for a retry', async () => {
    const config = {
      source: { file: 'late.jsonl' },
      hierarchy: [3],
      summary_prompt: 'Summarize: {{example.inputs.messages}}',
      llm: { provider: 'offline' },
    };
    const first = await startFromUpload('configs/late.json', JSON.stringify(config));
    expect(first.run).toMatchObject({
      status: 'FAILED',
      error: 'RunFailed',
      cause:
        'configs/late.json: ClioError: source file configs/late.jsonl not found in s3://configs/',
      path: ['Triggered', 'ClaimTrigger', 'Claimed', 'Prepare', 'MarkFailed', 'RunFailed'],
    });
    // MarkFailed gets the whole state as the Catch left it, and the execution.
    expect(callsTo(first.run, 'MarkFailed')[0]?.event).toEqual({
      state: {
        ...first.input,
        claim: { claimed: true },
        error: { Error: 'ClioError', Cause: expect.stringContaining('late.jsonl not found') },
      },
      executionArn: first.run.executionArn,
    });
    expect(await claimOf(first.input)).toBeUndefined();

    // The data arrives; the same upload event (same ETag) now starts a run.
    const data = await world.getText(BUCKETS.configs, 'configs/data.jsonl');
    await world.s3.client.send(
      new PutObjectCommand({ Bucket: BUCKETS.configs, Key: 'configs/late.jsonl', Body: data }),
    );
    const again = await startFromUpload('configs/late.json');
    expect(again.input).toEqual(first.input);
    expect(again.run.status, again.run.cause).toBe('SUCCEEDED');
    expect(await world.runs.getRun(runIdOf(again.run))).toMatchObject({ status: 'done' });
  });

  it('(d) that a redrive could fix (Finalize cannot write) fails the execution there; the lifecycle rule closes the run', async () => {
    // Finalize cannot publish to the explorer's bucket.
    const run = await withoutBucket(BUCKETS.site, () =>
      app.start({ configKey: 'configs/other.json' }),
    );
    expect(run).toMatchObject({ status: 'FAILED', error: 'NoSuchBucket' });
    expect(run.path.at(-1)).toBe('Finalize');
    const runId = runIdOf(run);
    const closed = { status: 'failed', error: expect.stringMatching(/^NoSuchBucket: .*redrive/) };
    expect(await world.runs.getRun(runId)).toMatchObject(closed);
    expect(JSON.parse(await artifact(runId, 'run.json'))).toMatchObject(closed);
  });
});

describe('the summary cache', () => {
  const batch = 'items/batch-00001.json';
  const MARKER = 'a summary taken from the batch cache';
  /** The shared cache object of the run's first batch, named as Summarize names it. */
  async function cacheKeyOf(runId: string) {
    const record = JSON.parse(await artifact(runId, 'run.json'));
    const config = JSON.parse(await artifact(runId, 'config.json'));
    const items = JSON.parse(await artifact(runId, batch)) as { id: string }[];
    return summaryCacheKey(
      record.llm,
      { template: config.summary_prompt, partitions: config.partitions },
      items.map((i) => i.id),
    );
  }
  /** Replaces one cached summary, so a summary read back from the cache can be told apart. */
  async function markCache(runId: string) {
    const key = await cacheKeyOf(runId);
    const cache = JSON.parse(await world.getText(BUCKETS.artifacts, key));
    const first = Object.keys(cache)[0] ?? '?';
    cache[first] = { ...cache[first], summary: MARKER };
    await world.s3.client.send(
      new PutObjectCommand({ Bucket: BUCKETS.artifacts, Key: key, Body: JSON.stringify(cache) }),
    );
  }
  const summaries = async (runId: string) =>
    (JSON.parse(await artifact(runId, 'hierarchy.json')).items as { summary: string }[]).map(
      (i) => i.summary,
    );

  it('(e) resumes a retried batch from its cache, and a new run of the same config reuses it', async () => {
    let timedOut = false;
    const first = await app.start({ configKey: 'configs/support.json' }, async (call, invoke) => {
      const result = await invoke();
      if (call.state !== 'SummarizeBatch' || batchOf(call) !== batch || timedOut) return result;
      // The attempt did its work and flushed its cache, then ran out of time.
      timedOut = true;
      await markCache(String(call.event.runId));
      throw Object.assign(new Error('Task timed out after 900.00 seconds'), {
        name: 'Sandbox.Timedout',
      });
    });
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const retried = callsTo(first, 'SummarizeBatch').filter((c) => batchOf(c) === batch);
    expect(retried.map((c) => c.error)).toEqual(['Sandbox.Timedout', undefined]);
    expect((await summaries(runIdOf(first))).filter((s) => s === MARKER)).toHaveLength(1);

    // A re-run of the same config finds the same batches' cache: the marked summary comes back.
    const second = await app.start({ configKey: 'configs/support.json' });
    expect(second.status, second.cause).toBe('SUCCEEDED');
    expect(runIdOf(second)).not.toBe(runIdOf(first));
    expect(await cacheKeyOf(runIdOf(second))).toBe(await cacheKeyOf(runIdOf(first)));
    expect((await summaries(runIdOf(second))).filter((s) => s === MARKER)).toHaveLength(1);
  });
});
