import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV, SECRET_PLACEHOLDER } from '../../lambdas/contract.js';
import {
  buildDeps,
  DEPS_TTL_MS,
  defaultClients,
  getDeps,
  loadSecrets,
} from '../../lambdas/deps.js';
import { EnvError, positiveIntEnv, requiredEnv } from '../../lambdas/env.js';
import { publishRun } from '../../lambdas/publish.js';
import { asStepError, InvalidEventError, TransientError } from '../../lambdas/runtime.js';
import { parseConfig } from '../../lib/config/index.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { TriggerClaims } from '../../lib/store/dynamo-claims.js';
import { type StoredRun, tableKeys } from '../../lib/store/dynamo-hierarchy.js';
import type { Store } from '../../lib/store/types.js';
import { ClioError } from '../../lib/util/errors.js';
import { MEMBER_PAGE_ITEMS } from '../../lib/viz/format.js';
import {
  BUCKETS,
  driveRun,
  executionArn,
  type Handlers,
  loadHandlers,
  startWorld,
  TABLE,
  type World,
} from './world.js';

let world: World;
let handlers: Handlers;

beforeAll(async () => {
  world = await startWorld();
  handlers = await loadHandlers();
});

afterAll(() => world?.close());

describe('the Lambda handlers, driven as the state machine drives them', () => {
  it('run a config from upload to the published explorer data', async () => {
    const { runId, prepared, summarized, finished } = await driveRun(
      world,
      handlers,
      'configs/support.json',
    );
    expect(prepared).toMatchObject({ itemCount: 60, batchCount: 3, levelCount: 2 });
    expect(summarized.every((s) => s.failed === 0)).toBe(true);
    expect(finished).toMatchObject({ runId, items: 60 });
    expect(finished.outputKeys).toEqual(expect.arrayContaining([`runs/${runId}/hierarchy.json`]));

    expect(await world.runs.getRun(runId)).toMatchObject({
      status: 'done',
      counts: { sampled: 60 },
    });
    expect(await world.runs.listClusters(runId, 1)).toHaveLength(2);

    const index = JSON.parse(await world.getText(BUCKETS.site, 'data/runs.json'));
    expect(index).toMatchObject({ format: 1, runs: [{ key: runId, items: 60 }] });
    const published = JSON.parse(await world.getText(BUCKETS.site, `data/${runId}/index.json`));
    expect(published.items).toBe(60);
    // Items are published in chunks of one member page: 50, then the other 10.
    const chunks = await Promise.all(
      [0, 1].map(async (n) =>
        JSON.parse(await world.getText(BUCKETS.site, `data/${runId}/items/${n}.json`)),
      ),
    );
    expect(chunks.map((c) => c.length)).toEqual([MEMBER_PAGE_ITEMS, 60 - MEMBER_PAGE_ITEMS]);
  });

  it('hold back what the privacy floor withholds from S3, DynamoDB and the published explorer alike', async () => {
    // 60 tickets; every password ticket comes from one of two users.
    const topics = ['refund a double charge', 'password reset fails', 'export projects to csv'];
    const rows = Array.from({ length: 60 }, (_, i) => ({
      id: `p${i}`,
      inputs: { text: `${topics[i % 3]} please (ticket ${i})` },
      metadata: { user_id: i % 3 === 1 ? `u${i % 2}` : `u${100 + i}` },
    }));
    await world.s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKETS.configs,
        Key: 'configs/private.jsonl',
        Body: rows.map((r) => JSON.stringify(r)).join('\n'),
      }),
    );
    const config = {
      source: { file: 'private.jsonl' },
      hierarchy: [6, 2],
      summary_prompt: 'Summarize: {{example.inputs.text}}',
      llm: { provider: 'offline' },
      min_distinct_users: 3,
    };
    await world.s3.client.send(
      new PutObjectCommand({
        Bucket: BUCKETS.configs,
        Key: 'configs/private.json',
        Body: JSON.stringify(config),
      }),
    );
    const { runId, finished } = await driveRun(world, handlers, 'configs/private.json');
    const shown = finished.items as number;
    expect(shown).toBeLessThanOrEqual(40);
    const stored = await world.runs.getRun(runId);
    expect(stored?.counts.withheld).toBe(60 - shown);
    expect(stored?.privacy?.withheldClusters.users).toBeGreaterThan(0);
    const everywhere = [
      await world.getText(BUCKETS.artifacts, `runs/${runId}/hierarchy.json`),
      await world.getText(BUCKETS.artifacts, `runs/${runId}/combined.csv`),
      JSON.stringify(await world.runs.listClusters(runId)),
      await world.getText(BUCKETS.site, `data/${runId}/index.json`),
      await world.getText(BUCKETS.site, `data/${runId}/items/0.json`),
    ].join('\n');
    expect(everywhere).not.toMatch(/password/i);
    // The built-in facets are computed on AWS too.
    const doc = JSON.parse(await world.getText(BUCKETS.artifacts, `runs/${runId}/hierarchy.json`));
    expect(doc.items[0].facets).toMatchObject({ language: 'en', turns: 1 });
  });

  /** A run Prepare made for an execution that holds `upload#<tag>` of configs/other.json. */
  async function preparedRun(tag: string) {
    const arn = executionArn(tag);
    const start = { configKey: 'configs/other.json', trigger: `upload#${tag}` };
    expect(await claims().claim(start.configKey, start.trigger, arn)).toBe(true);
    const prepared = await handlers.prepare({ start, executionArn: arn });
    return { arn, start, runId: prepared.runId as string, prepared };
  }
  const claims = () => new TriggerClaims({ client: world.dynamo.client, tableName: TABLE });
  const claimItem = async (start: { configKey: string; trigger: string }) =>
    (
      await world.dynamo.client.send(
        new GetCommand({
          TableName: TABLE,
          Key: tableKeys.trigger(start.configKey, start.trigger),
        }),
      )
    ).Item;
  const statusChange = (arn: string, status: string, extra: Record<string, unknown> = {}) => ({
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    detail: { executionArn: arn, status, input: null, error: null, cause: null, ...extra },
  });

  it('MarkFailed records the cause and releases the upload claim', async () => {
    const { arn, start, runId, prepared } = await preparedRun('def');
    const cause = JSON.stringify({
      errorType: 'ClioError',
      errorMessage: 'no item could be summarized',
    });
    const out = await handlers.markFailed({
      state: { ...start, prepare: prepared, error: { Error: 'ClioError', Cause: cause } },
      executionArn: arn,
    });
    // The offline provider billed nothing; that is what the metrics are told.
    expect(out).toEqual({
      runId,
      reason: 'ClioError: no item could be summarized',
      spend: { costUsd: 0, inputTokens: 0, outputTokens: 0 },
    });
    expect(await world.runs.getRun(runId)).toMatchObject({
      status: 'failed',
      error: 'ClioError: no item could be summarized',
    });
    expect(await claimItem(start)).toBeUndefined();
  });

  it('MarkFailed leaves a claim another execution holds', async () => {
    const { start } = await preparedRun('held');
    await handlers.markFailed({
      state: { ...start, error: { Error: 'InvalidEventError' } },
      executionArn: executionArn('a-duplicate-start'),
    });
    expect(await claimItem(start)).toMatchObject({ executionArn: executionArn('held') });
  });

  it('MarkFailed handles a failure before Prepare made a run', async () => {
    const out = await handlers.markFailed({
      state: {
        configKey: 'configs/bad.json',
        error: { Error: 'ConfigError', Cause: 'hierarchy[1]: got 5 after 3' },
      },
      executionArn: executionArn('bad'),
    });
    expect(out).toEqual({
      runId: null,
      reason: 'configs/bad.json: ConfigError: hierarchy[1]: got 5 after 3',
    });
  });

  it('CloseRun closes the running run of a timed-out or aborted execution and frees its claim', async () => {
    for (const [status, reason] of [
      ['TIMED_OUT', "States.Timeout: the execution ran past the state machine's timeout"],
      ['ABORTED', 'ExecutionAborted: the execution was stopped'],
    ] as const) {
      const { arn, start, runId } = await preparedRun(`ended-${status}`);
      expect(await world.runs.getRun(runId)).toMatchObject({ status: 'running' });
      const out = await handlers.closeRun(
        statusChange(arn, status, { input: JSON.stringify(start) }),
      );
      expect(out).toEqual({
        runId,
        action: 'closed',
        releasedClaim: true,
        spend: { costUsd: 0, inputTokens: 0, outputTokens: 0 },
      });
      const stored = await world.runs.getRun(runId);
      expect(stored?.status).toBe('failed');
      expect(stored?.error).toBe(
        `${reason} (the execution can be redriven for 14 days to resume without paying again for finished work: aws stepfunctions redrive-execution --execution-arn ${arn})`,
      );
      expect(await claimItem(start)).toBeUndefined();
    }
  });

  it('CloseRun keeps the reason MarkFailed recorded, and reopens a redriven run', async () => {
    const { arn, start, runId, prepared } = await preparedRun('redriven');
    const cause = JSON.stringify({ errorType: 'Error', errorMessage: 'socket hang up' });
    await handlers.markFailed({
      state: { prepare: prepared, error: { Error: 'Error', Cause: cause } },
      executionArn: arn,
    });
    const failed = statusChange(arn, 'FAILED', {
      input: JSON.stringify(start),
      error: 'RunFailed',
      cause: 'Error: socket hang up',
    });
    expect(await handlers.closeRun(failed)).toEqual({
      runId,
      action: 'none',
      releasedClaim: true,
    });
    expect(await world.runs.getRun(runId)).toMatchObject({ error: 'Error: socket hang up' });

    const redriven = statusChange(arn, 'RUNNING', {
      input: JSON.stringify(start),
      redriveCount: 1,
    });
    expect(await handlers.closeRun(redriven)).toEqual({
      runId,
      action: 'reopened',
      releasedClaim: false,
    });
    expect(await world.runs.getRun(runId)).toMatchObject({ status: 'running', error: null });
    expect(await claimItem(start)).toMatchObject({ executionArn: arn });
    // A start that is not a redrive changes nothing.
    expect(await handlers.closeRun(statusChange(arn, 'RUNNING'))).toMatchObject({
      action: 'none',
    });
  });

  it('CloseRun of an execution that never made a run only frees its claim', async () => {
    const arn = executionArn('no-run');
    const start = { configKey: 'configs/missing.json', trigger: 'upload#none' };
    await claims().claim(start.configKey, start.trigger, arn);
    const out = await handlers.closeRun(
      statusChange(arn, 'FAILED', { input: JSON.stringify(start), error: 'Lambda.Unknown' }),
    );
    expect(out).toEqual({ runId: null, action: 'none', releasedClaim: true });
  });

  it('reject an event the step does not take, by name, without retry', async () => {
    const error = await handlers
      .prepare({ start: { key: 'configs/support.json' }, executionArn: executionArn('x') })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidEventError);
    expect((error as Error).message).toMatch(/^prepare: invalid event: .*configKey/s);
  });
});

describe('adapter pieces', () => {
  it('rename throttling and rate limits to the error the state machine retries', () => {
    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 429 },
    });
    const retried = asStepError(throttled);
    expect(retried).toBeInstanceOf(TransientError);
    expect(retried.name).toBe('TransientError');
    expect(retried.message).toBe('ThrottlingException: slow down');
    expect(asStepError(Object.assign(new Error('overloaded'), { status: 529 })).name).toBe(
      'TransientError',
    );
    const config = new ClioError('bad config');
    expect(asStepError(config)).toBe(config);
    expect(asStepError('text').message).toBe('text');
  });

  it('load API keys from Secrets Manager, leaving placeholders unset', async () => {
    const values: Record<string, string> = {
      'arn:anthropic': 'sk-ant-123',
      'arn:langsmith': SECRET_PLACEHOLDER,
    };
    const client = {
      send: async (command: { input: { SecretId: string } }) => ({
        SecretString: values[command.input.SecretId],
      }),
    } as unknown as SecretsManagerClient;
    const env: Record<string, string | undefined> = {
      [ENV.secretArns]: JSON.stringify({
        ANTHROPIC_API_KEY: 'arn:anthropic',
        LANGSMITH_API_KEY: 'arn:langsmith',
      }),
    };
    expect(await loadSecrets(env, client)).toEqual(['ANTHROPIC_API_KEY']);
    expect(env.ANTHROPIC_API_KEY).toBe('sk-ant-123');
    expect(env.LANGSMITH_API_KEY).toBeUndefined();
    await expect(
      loadSecrets({ [ENV.secretArns]: JSON.stringify({ AWS_SECRET_ACCESS_KEY: 'arn:x' }) }, client),
    ).rejects.toThrow(/"AWS_SECRET_ACCESS_KEY" is not a variable a secret may set/);
  });

  it('refuse to run `auto` offline when the key secret still holds its placeholder', async () => {
    const secrets = {
      send: async () => ({ SecretString: SECRET_PLACEHOLDER }),
    } as unknown as SecretsManagerClient;
    const env: Record<string, string | undefined> = {
      [ENV.artifactsBucket]: 'artifacts',
      [ENV.secretArns]: JSON.stringify({ ANTHROPIC_API_KEY: 'arn:anthropic' }),
    };
    const deps = await buildDeps(env, { ...defaultClients(), secrets });
    const at = { file: '/configs/x.json', dir: '/configs' };
    const base = { source: { file: 'x.jsonl' }, hierarchy: [3], summary_prompt: '{{example}}' };
    const embedder = deps.createEmbedder(parseConfig(base, at));
    expect(() => deps.createLlm(parseConfig(base, at), embedder)).toThrow(
      /"auto" and no ANTHROPIC_API_KEY is set: set the ANTHROPIC_API_KEY secret of the stack.*"provider": "offline"/,
    );
    const offline = parseConfig({ ...base, llm: { provider: 'offline' } }, at);
    expect(deps.createLlm(offline, embedder)).toBeInstanceOf(OfflineLlm);
    await embedder.close();
  });

  it('reuse the deps within a container for a while, then rebuild them to pick up new keys', async () => {
    const t = Date.now() + 10 * DEPS_TTL_MS;
    const first = getDeps(t);
    expect(getDeps(t + DEPS_TTL_MS)).toBe(first);
    const later = getDeps(t + DEPS_TTL_MS + 1);
    expect(later).not.toBe(first);
    expect((await later).runIndex).toBeDefined();
  });

  it('read typed settings from the environment with clear messages', () => {
    expect(() => requiredEnv('CLIO_NOPE', {})).toThrow(
      new EnvError('environment variable CLIO_NOPE is not set; the stack sets it on this function'),
    );
    expect(positiveIntEnv('N', 100, {})).toBe(100);
    expect(() => positiveIntEnv('N', 100, { N: 'ten' })).toThrow(
      'environment variable N is "ten", expected a positive integer',
    );
  });

  it('publish the runs index from the table, newest first, with the run being published', async () => {
    const written = new Map<string, string>();
    const site: Store = {
      location: 'memory://site/data/',
      read: async (key) => written.get(key),
      write: async (key, body) => {
        written.set(key, String(body));
      },
    };
    const run = (runId: string, createdAt: string) =>
      ({
        runId,
        createdAt,
        source: 'file',
        window: null,
        hierarchy: [2],
        costUsd: 0,
        counts: {},
      }) as unknown as StoredRun;
    const doc = {
      run: {
        ...run('r3', '2026-11-25T12:00:00.000Z'),
        counts: { clustered: 2, withheld: 0 },
        failures: [],
        warnings: [],
      },
      levels: [{ level: 0, count: 1 }],
      clusters: [
        {
          level: 0,
          id: 0,
          name: 'c',
          description: 'd',
          size: 2,
          partition: 'Default',
          parent: null,
          children: [],
        },
      ],
      items: ['a', 'b'].map((id) => ({
        id,
        summary: `s ${id}`,
        partition: 'Default',
        path: [0],
        preview: id,
      })),
    } as unknown as HierarchyDoc;
    const listed = [run('r2', '2026-11-25T11:00:00.000Z'), run('r1', '2026-11-25T10:00:00.000Z')];
    const index = await publishRun(doc, { site, runs: { listRuns: async () => listed } });
    expect(index.map((r) => r.key)).toEqual(['r3', 'r2', 'r1']);
    // The explorer's own format: what `open-clio viz` serves is what CloudFront serves.
    const runs = JSON.parse(written.get('runs.json') ?? '{}');
    expect(runs).toMatchObject({ format: 1 });
    expect(runs.runs).toHaveLength(3);
    expect(JSON.parse(written.get('r3/index.json') ?? '{}').items).toBe(2);
    expect(JSON.parse(written.get('r3/items/0.json') ?? '[]')).toHaveLength(2);
  });
});
