import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
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
import { type StoredRun, tableKeys } from '../../lib/store/dynamo-hierarchy.js';
import type { Store } from '../../lib/store/types.js';
import { ClioError } from '../../lib/util/errors.js';
import {
  BUCKETS,
  driveRun,
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
    const firstChunk = JSON.parse(await world.getText(BUCKETS.site, `data/${runId}/items/0.json`));
    expect(firstChunk).toHaveLength(60);
  });

  it('MarkFailed records the cause and releases the upload claim', async () => {
    const prepared = await handlers.prepare({ configKey: 'configs/other.json' });
    const claim = tableKeys.trigger('configs/other.json', 'upload#def');
    await world.dynamo.client.send(new PutCommand({ TableName: TABLE, Item: claim }));
    const cause = JSON.stringify({
      errorType: 'ClioError',
      errorMessage: 'no item could be summarized',
    });
    const out = await handlers.markFailed({
      configKey: 'configs/other.json',
      trigger: 'upload#def',
      prepare: prepared,
      error: { Error: 'ClioError', Cause: cause },
    });
    expect(out).toEqual({
      runId: prepared.runId,
      reason: 'ClioError: no item could be summarized',
    });
    expect(await world.runs.getRun(prepared.runId as string)).toMatchObject({
      status: 'failed',
      error: 'ClioError: no item could be summarized',
    });
    const { Item } = await world.dynamo.client.send(
      new GetCommand({ TableName: TABLE, Key: claim }),
    );
    expect(Item).toBeUndefined();
  });

  it('MarkFailed handles a failure before Prepare made a run', async () => {
    const out = await handlers.markFailed({
      configKey: 'configs/bad.json',
      error: { Error: 'ConfigError', Cause: 'hierarchy[1]: got 5 after 3' },
    });
    expect(out).toEqual({
      runId: null,
      reason: 'configs/bad.json: ConfigError: hierarchy[1]: got 5 after 3',
    });
  });

  it('reject an event the step does not take, by name, without retry', async () => {
    const error = await handlers.prepare({ key: 'configs/support.json' }).catch((e: unknown) => e);
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
