import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ENV } from '../../lambdas/contract.js';
import { DynamoHierarchy } from '../../lib/store/dynamo-hierarchy.js';
import { type DynamoEmulator, type S3Emulator, startDynamo, startS3 } from './emulators.js';

/**
 * A deployment in miniature for driving the Lambda handlers: emulated buckets and table, two
 * uploaded configs with their data, and the environment the stack would give the functions
 * (SDK endpoints pointed at the emulators). Handlers read process.env, so the world must be
 * started before they are imported.
 */

export const BUCKETS = { configs: 'configs', artifacts: 'artifacts', site: 'site' } as const;
export const TABLE = 'runs';

const TOPICS = [
  'refund a double charge',
  'cannot login after a password reset',
  'export projects to csv',
];
const rows = Array.from({ length: 60 }, (_, i) => ({
  id: `r${i}`,
  inputs: { messages: [{ role: 'user', content: `${TOPICS[i % 3]} please (ticket ${i})` }] },
}));
const config = (hierarchy: number[]) => ({
  source: { file: 'data.jsonl' },
  hierarchy,
  summary_prompt: 'Summarize: {{example.inputs.messages}}',
  // On AWS, `auto` without a key is an error: a run without a model says so.
  llm: { provider: 'offline' },
});

type Handler = (event: unknown) => Promise<Record<string, unknown>>;
export interface Handlers {
  readonly prepare: Handler;
  readonly summarize: Handler;
  readonly cluster: Handler;
  readonly finalize: Handler;
  readonly markFailed: Handler;
  readonly closeRun: Handler;
}

/** The ARN the state machine would pass as `$$.Execution.Id`. */
export const executionArn = (name: string) =>
  `arn:aws:states:us-east-1:123456789012:execution:OpenClio:${name}`;

export interface World {
  readonly s3: S3Emulator;
  readonly dynamo: DynamoEmulator;
  readonly runs: DynamoHierarchy;
  getText(bucket: string, key: string): Promise<string>;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const [s3, dynamo] = await Promise.all([startS3(), startDynamo()]);
  await Promise.all([
    ...Object.values(BUCKETS).map((b) => s3.createBucket(b)),
    dynamo.createRunsTable(TABLE),
  ]);
  const put = (Key: string, Body: string) =>
    s3.client.send(new PutObjectCommand({ Bucket: BUCKETS.configs, Key, Body }));
  await put('configs/support.json', JSON.stringify(config([6, 2])));
  await put('configs/other.json', JSON.stringify(config([4])));
  await put('configs/data.jsonl', rows.map((r) => JSON.stringify(r)).join('\n'));
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    // s3rver checks this key pair; dynalite accepts any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // EMF lines on stdout would bury the test output; the telemetry test turns them back on.
    POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
    [ENV.artifactsBucket]: BUCKETS.artifacts,
    [ENV.configsBucket]: BUCKETS.configs,
    [ENV.siteBucket]: BUCKETS.site,
    [ENV.tableName]: TABLE,
    [ENV.batchSize]: '25',
  });
  return {
    s3,
    dynamo,
    runs: new DynamoHierarchy({ client: dynamo.client, tableName: TABLE }),
    getText: async (Bucket, Key) => {
      const object = await s3.client.send(new GetObjectCommand({ Bucket, Key }));
      return (await object.Body?.transformToString('utf-8')) ?? '';
    },
    close: async () => {
      await Promise.all([s3.close(), dynamo.close()]);
    },
  };
}

/**
 * What the state machine does with a config: Prepare, the Map, the level loop, Finalize.
 * `failedBatches`: the last batches fail after their retries (never summarized) and the Map
 * tolerates it.
 */
export async function driveRun(
  world: World,
  handlers: Handlers,
  configKey: string,
  { failedBatches = 0 } = {},
) {
  const prepared = await handlers.prepare({
    start: { configKey, trigger: 'upload#abc' },
    executionArn: executionArn(`drive-${Date.now()}`),
  });
  const runId = prepared.runId as string;
  // The Distributed Map reads this object and runs one child per entry.
  const batches = JSON.parse(
    await world.getText(BUCKETS.artifacts, prepared.batchKeysKey as string),
  ) as unknown[];
  const summarized = [];
  for (const batch of batches.slice(0, batches.length - failedBatches))
    summarized.push(await handlers.summarize(batch));
  let next = { runId, level: 0 };
  for (let guard = 0; guard < 10; guard++) {
    const out = await handlers.cluster(next);
    if (out.done) break;
    next = { runId, level: (out.level as number) + 1 };
  }
  const finished = await handlers.finalize({ runId });
  return { runId, prepared, summarized, finished };
}

/**
 * The real Lambda handlers, imported only once `startWorld` has set the environment (each handler
 * builds its deps from process.env at import), with their logs silenced for the test output.
 */
export async function loadHandlers(): Promise<Handlers> {
  const handlers = {
    prepare: (await import('../../lambdas/prepare.js')).handler,
    summarize: (await import('../../lambdas/summarize-batch.js')).handler,
    cluster: (await import('../../lambdas/cluster-level.js')).handler,
    finalize: (await import('../../lambdas/finalize.js')).handler,
    markFailed: (await import('../../lambdas/mark-failed.js')).handler,
    closeRun: (await import('../../lambdas/close-run.js')).handler,
  } as unknown as Handlers;
  (await import('../../lambdas/runtime.js')).logger.setLogLevel('SILENT');
  return handlers;
}
