import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { formatRemoteResult, runRemoteGenerateCommand } from '../../lib/cli/remote-command.js';
import { ConfigError } from '../../lib/config/index.js';
import type { ProgressReporter } from '../../lib/pipeline/types.js';
import type { RemoteClients } from '../../lib/remote/clients.js';
import { RemoteRunError } from '../../lib/remote/errors.js';
import type { RunInput } from '../../lib/remote/execution.js';
import { TriggerClaims } from '../../lib/store/dynamo-claims.js';
import {
  BUCKETS,
  type Handlers,
  loadHandlers,
  startWorld,
  TABLE,
  type World,
} from '../infra/world.js';

/**
 * `generate --remote` and `runs` against emulated S3 and DynamoDB, with Step Functions faked
 * in-process: an upload to `configs/*.json` starts an execution (as EventBridge would), and each
 * DescribeExecution moves it one step through the real Lambda handlers, writing history events
 * as the state machine's states (`lib/infra/pipeline.ts`) would.
 */

const STACK = 'OpenClio';
const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline';
const EXPLORER = 'https://d111111abcdef8.cloudfront.net';

interface Execution {
  readonly arn: string;
  readonly input: RunInput;
  readonly startDate: Date;
  readonly events: HistoryEvent[];
  status: ExecutionStatus;
  cause?: string;
  map?: { arn: string; total: number; done: number };
  steps?: AsyncGenerator<void>;
}

let world: World;
let handlers: Handlers;
let clients: RemoteClients;
let dir: string;
const executions = new Map<string, Execution>();
const fake = { trigger: true, failAt: '' };
const started: RunInput[] = [];

function startExecution(input: RunInput): string {
  const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:e${executions.size + 1}`;
  const execution: Execution = { arn, input, startDate: new Date(), events: [], status: 'RUNNING' };
  execution.steps = runExecution(execution);
  executions.set(arn, execution);
  return arn;
}

async function* runExecution(e: Execution): AsyncGenerator<void> {
  const state: Record<string, unknown> = { ...e.input };
  const event = (type: string, details: Partial<HistoryEvent>) =>
    e.events.push({
      type,
      id: e.events.length + 1,
      timestamp: new Date(),
      ...details,
    } as HistoryEvent);
  const enter = (name: string) =>
    event('TaskStateEntered', { stateEnteredEventDetails: { name, input: JSON.stringify(state) } });
  const task = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
    enter(name);
    if (fake.failAt === name)
      throw Object.assign(new Error('Task timed out after 900.00 seconds'), {
        name: 'Sandbox.Timedout',
      });
    const out = await call();
    event('TaskStateExited', { stateExitedEventDetails: { name, output: JSON.stringify(state) } });
    return out;
  };
  try {
    if (e.input.trigger) {
      const claimed = await task('ClaimTrigger', () =>
        new TriggerClaims({ client: world.dynamo.client, tableName: TABLE }).claim(
          e.input.configKey,
          e.input.trigger as string,
          e.arn,
        ),
      );
      if (!claimed) {
        enter('AlreadyStarted');
        e.status = 'SUCCEEDED';
        return;
      }
    }
    const prepared = await task('Prepare', async () => {
      const out = await handlers.prepare({ start: state, executionArn: e.arn });
      state.prepare = out;
      return out as { runId: string; batchKeysKey: string; batchCount: number };
    });
    yield;
    const { runId } = prepared;
    enter('Summarize');
    e.map = { arn: `${e.arn}:map`, total: prepared.batchCount, done: 0 };
    event('MapRunStarted', { mapRunStartedEventDetails: { mapRunArn: e.map.arn } });
    const batches = JSON.parse(await world.getText(BUCKETS.artifacts, prepared.batchKeysKey));
    for (const batch of batches) {
      await handlers.summarize(batch);
      e.map.done++;
      yield;
    }
    for (let level = 0; ; level++) {
      const out = await task('ClusterLevel', () => handlers.cluster({ runId, level }));
      yield;
      if (out.done) break;
    }
    await task('Finalize', () => handlers.finalize({ runId }));
    e.status = 'SUCCEEDED';
  } catch (error) {
    const { name, message } = error as Error;
    state.error = {
      Error: name,
      Cause: JSON.stringify({ errorType: name, errorMessage: message }),
    };
    const failed = await task('MarkFailed', () =>
      handlers.markFailed({ state, executionArn: e.arn }),
    );
    Object.assign(e, { status: 'FAILED', cause: failed.reason });
  }
}

const execution = (arn: string | undefined) => {
  const found = executions.get(arn ?? '');
  if (!found)
    throw Object.assign(new Error(`no execution ${arn}`), { name: 'ExecutionDoesNotExist' });
  return found;
};

// aws-sdk-client-mock is typed against an older @smithy/types than the SDK clients; it works alike.
const stub = (client: object) => mockClient(client as never);
const command = (c: unknown) => c as never;

function fakeAws(): RemoteClients {
  const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
  const outputs = {
    ConfigsBucketName: BUCKETS.configs,
    ArtifactsBucketName: BUCKETS.artifacts,
    RunsTableName: TABLE,
    StateMachineArn: MACHINE,
    ExplorerUrlF549A5DD: EXPLORER,
  };
  stub(cloudFormation)
    .on(command(DescribeStacksCommand), { StackName: STACK })
    .callsFake(
      (): DescribeStacksCommandOutput => ({
        $metadata: {},
        Stacks: [
          {
            StackName: STACK,
            StackStatus: 'UPDATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
              OutputKey,
              OutputValue,
            })),
          },
        ],
      }),
    );
  const sfn = new SFNClient({ region: 'us-east-1' });
  stub(sfn)
    .on(command(ListExecutionsCommand))
    .callsFake(() => ({
      executions: [...executions.values()].reverse().map((e) => ({
        executionArn: e.arn,
        stateMachineArn: MACHINE,
        name: e.arn.split(':').at(-1),
        status: e.status,
        startDate: e.startDate,
      })),
    }))
    .on(command(DescribeExecutionCommand))
    .callsFake(async ({ executionArn }) => {
      const e = execution(executionArn);
      if (e.status === 'RUNNING') await e.steps?.next();
      return {
        executionArn,
        stateMachineArn: MACHINE,
        input: JSON.stringify(e.input),
        status: e.status,
        startDate: e.startDate,
        ...(e.status === 'FAILED' ? { error: 'RunFailed', cause: e.cause } : {}),
      };
    })
    .on(command(GetExecutionHistoryCommand))
    .callsFake(({ executionArn }) => ({ events: execution(executionArn).events }))
    .on(command(DescribeMapRunCommand))
    .callsFake(({ mapRunArn }) => {
      const { map } = execution(mapRunArn?.replace(/:map$/, ''));
      return { mapRunArn, itemCounts: { total: map?.total, succeeded: map?.done } };
    })
    .on(command(StartExecutionCommand))
    .callsFake(({ input }) => {
      started.push(JSON.parse(input ?? '{}'));
      return { executionArn: startExecution(JSON.parse(input ?? '{}')), startDate: new Date() };
    });
  // EventBridge: a config uploaded under configs/ starts an execution with its key and ETag.
  world.s3.client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const { Bucket, Key } = args.input as { Bucket?: string; Key?: string };
      const { ETag } = result.output as { ETag?: string };
      if (
        fake.trigger &&
        context.commandName === 'PutObjectCommand' &&
        Bucket === BUCKETS.configs &&
        /^configs\/.*\.json$/.test(Key ?? '')
      )
        startExecution({
          configKey: Key as string,
          trigger: `upload#${ETag?.replaceAll('"', '')}`,
        });
      return result;
    },
    { step: 'initialize', name: 'uploadTrigger' },
  );
  return { cloudFormation, sfn, s3: world.s3.client, dynamo: world.dynamo.client };
}

const lines: string[] = [];
const progress: ProgressReporter = {
  start: (stage, total) => lines.push(`start ${stage} ${total}`),
  tick: (done) => lines.push(`tick ${done}`),
  finish: () => lines.push('finish'),
  info: (message) => lines.push(message),
  warn: (message) => lines.push(`warning: ${message}`),
};

const TOPICS = ['refund a double charge', 'cannot log in', 'export to csv'];
const rows = Array.from({ length: 60 }, (_, i) => ({
  id: `t${i}`,
  inputs: { text: `${TOPICS[i % 3]} please (ticket ${i})` },
}));

async function writeConfig(name: string, extra: Record<string, unknown> = {}) {
  const config = {
    source: { file: 'data/tickets.jsonl' },
    hierarchy: [6, 2],
    summary_prompt: 'Summarize: {{example.inputs.text}}',
    save_path: `./${name}_results`,
    embedder: { provider: 'tfidf' },
    // On AWS `auto` without a key set is an error: a run without a model says so.
    llm: { provider: 'offline' },
    ...extra,
  };
  await writeFile(join(dir, `${name}.json`), JSON.stringify(config));
  return `${name}.json`;
}

const generate = (config: string) =>
  runRemoteGenerateCommand({
    config,
    cwd: dir,
    stack: STACK,
    clients,
    progress,
    pollMs: { initial: 0, max: 0 },
    triggerWaitMs: 0,
    sleep: async () => {},
  });

beforeAll(async () => {
  world = await startWorld();
  handlers = await loadHandlers();
  clients = fakeAws();
  dir = await mkdtemp(join(tmpdir(), 'clio-remote-'));
  await mkdir(join(dir, 'data'));
  await writeFile(join(dir, 'data/tickets.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
});

afterAll(async () => {
  await world?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  lines.length = 0;
  started.length = 0;
  Object.assign(fake, { trigger: true, failAt: '' });
});

describe('open-clio generate --remote', () => {
  it('uploads the config and its data, follows the run the upload started, downloads the outputs', async () => {
    const result = await generate(await writeConfig('support'));
    expect(result.startedBy).toBe('upload');
    expect(started).toEqual([]);
    expect(await world.getText(BUCKETS.configs, 'configs/data/tickets.jsonl')).toContain('"t59"');

    const out = join(dir, 'support_results');
    expect(result.downloaded.location).toBe(out);
    expect(result.downloaded.files).toEqual([
      'hierarchy.json',
      'combined.csv',
      'level_0_clusters.csv',
      'level_1_clusters.csv',
      'run.json',
    ]);
    for (const file of result.downloaded.files)
      expect(await readFile(join(out, file), 'utf8')).toBe(
        await world.getText(BUCKETS.artifacts, `runs/${result.runId}/${file}`),
      );
    expect(result.downloaded.record).toMatchObject({
      status: 'done',
      configKey: 'configs/support.json',
    });
    expect(result.downloaded.doc.items).toHaveLength(60);
    expect(result.explorerUrl).toBe(`${EXPLORER}/#run=${result.runId}`);

    expect(lines).toContain(`run ${result.runId}: 60 items in 3 batches, 2 levels`);
    expect(lines).toEqual(
      expect.arrayContaining([
        'start summarize batches 3',
        'tick 3',
        'start cluster levels 2',
        'tick 2',
      ]),
    );
    const printed = formatRemoteResult(result);
    // TF-IDF is fitted once over the run: the three topics' summaries differ only by ticket
    // numbers, which it does not count, so three base clusters (as a local run makes).
    expect(printed).toContain('Clustered 60 items into 3 → 2 clusters');
    expect(printed).toContain(`Explorer: ${EXPLORER}/#run=${result.runId}`);
  });

  it('starts the run itself when the same config was already run (its upload claim remains)', async () => {
    const first = (await world.runs.listRuns({ limit: 1 }))[0];
    // Run ids have one-second resolution: wait for the next second to get a new one.
    await new Promise((done) => setTimeout(done, 1000 - (Date.now() % 1000)));
    const result = await generate('support.json');
    expect(result.startedBy).toBe('cli');
    expect(result.runId).not.toBe(first?.runId);
    expect(started).toEqual([{ configKey: 'configs/support.json' }]);
    expect(result.downloaded.record.status).toBe('done');
  });

  it('starts the run with the upload trigger id when no execution follows the upload', async () => {
    fake.trigger = false;
    const result = await generate(await writeConfig('untriggered', { hierarchy: [4] }));
    expect(result.startedBy).toBe('cli');
    expect(started).toEqual([
      {
        configKey: 'configs/untriggered.json',
        trigger: expect.stringMatching(/^upload#[0-9a-f]{32}$/),
      },
    ]);
    expect(result.downloaded.files).toContain('level_0_clusters.csv');
  });

  it("fails with the run record's error when a step fails, downloading nothing", async () => {
    fake.failAt = 'ClusterLevel';
    const failure = await generate(await writeConfig('broken')).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteRunError);
    const { runId, message } = failure as RemoteRunError;
    expect(message).toMatch(
      new RegExp(
        `^run ${runId} failed at .*: Sandbox.Timedout: Task timed out after 900.00 seconds`,
      ),
    );
    expect(message).toContain('console.aws.amazon.com/states');
    expect(await world.runs.getRun(runId as string)).toMatchObject({ status: 'failed' });
    await expect(readFile(join(dir, 'broken_results/hierarchy.json'))).rejects.toThrow();
  });

  it("fails with the execution's cause when the run never got a record", async () => {
    await writeFile(join(dir, 'data/empty.jsonl'), '');
    const failure = await generate(
      await writeConfig('empty', { source: { file: 'data/empty.jsonl' } }),
    ).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RemoteRunError);
    expect((failure as Error).message).toMatch(
      /^the run failed: RunFailed: configs\/empty.json: ClioError: the source has no items/,
    );
  });

  it('validates the config locally before touching the stack', async () => {
    await writeFile(join(dir, 'typo.json'), JSON.stringify({ hierachy: [4], summary_prompt: 'x' }));
    await expect(generate('typo.json')).rejects.toBeInstanceOf(ConfigError);
    expect(lines).toEqual([]);
    await expect(world.getText(BUCKETS.configs, 'configs/typo.json')).rejects.toThrow(
      /does not exist/,
    );
  });
});
