import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatRunRows, runRunsCommand } from '../../lib/cli/remote-command.js';
import { newRunRecord } from '../../lib/pipeline/run-record.js';
import type { RemoteClients } from '../../lib/remote/clients.js';
import { DynamoHierarchy } from '../../lib/store/dynamo-hierarchy.js';
import { runCli } from '../helpers/cli.js';
import { type DynamoEmulator, startDynamo } from '../infra/emulators.js';

const TABLE = 'runs';
let dynamo: DynamoEmulator;
let clients: RemoteClients;

function run(minute: number, configKey: string, status: 'running' | 'done' | 'failed') {
  const record = newRunRecord({
    startedAt: new Date(Date.UTC(2026, 10, 25, 10, minute)),
    digest: `${minute}`.padEnd(16, 'a'),
    hierarchy: [6, 2],
    partitions: null,
    llm: 'claude-haiku-4-5',
    embedder: 'offline',
  });
  return Object.assign(record, {
    configKey,
    status,
    stage: status === 'running' ? 'summarize' : status === 'done' ? 'done' : 'cluster level 0',
    counts: { ...record.counts, loaded: 120, sampled: 100 + minute },
    costUsd: minute / 10,
    error: status === 'failed' ? 'Sandbox.Timedout: Task timed out after 900.00 seconds' : null,
    finishedAt:
      status === 'running'
        ? null
        : new Date(Date.UTC(2026, 10, 25, 10, minute + 3, 7)).toISOString(),
  });
}

beforeAll(async () => {
  dynamo = await startDynamo();
  await dynamo.createRunsTable(TABLE);
  const table = new DynamoHierarchy({ client: dynamo.client, tableName: TABLE });
  await table.putRun(run(1, 'configs/support.json', 'done'));
  await table.putRun(run(2, 'configs/broken.json', 'failed'));
  await table.putRun(run(3, 'configs/support.json', 'running'));
  const cloudFormation = new CloudFormationClient({ region: 'us-east-1' });
  // aws-sdk-client-mock is typed against an older @smithy/types than the SDK clients; it works alike.
  mockClient(cloudFormation as never)
    .on(DescribeStacksCommand as never)
    .callsFake(
      (): DescribeStacksCommandOutput => ({
        $metadata: {},
        Stacks: [
          {
            StackName: 'OpenClio',
            StackStatus: 'CREATE_COMPLETE',
            CreationTime: new Date(),
            Outputs: Object.entries({
              ConfigsBucketName: 'configs',
              ArtifactsBucketName: 'artifacts',
              RunsTableName: TABLE,
              StateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:Pipeline',
            }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      }),
    );
  clients = {
    cloudFormation,
    dynamo: dynamo.client,
    s3: new S3Client({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
  };
});

afterAll(() => dynamo?.close());

describe('open-clio runs --remote', () => {
  it('lists runs newest first with status, items, cost and config key', async () => {
    const rows = await runRunsCommand({ stack: 'OpenClio', clients });
    expect(rows.map((r) => [r.configKey, r.status, r.items, r.costUsd])).toEqual([
      ['configs/support.json', 'running', 103, 0.3],
      ['configs/broken.json', 'failed', 102, 0.2],
      ['configs/support.json', 'done', 101, 0.1],
    ]);
    expect(rows[1]).toEqual({
      runId: expect.stringMatching(/^20261125T100200Z-/),
      createdAt: '2026-11-25T10:02:00.000Z',
      status: 'failed',
      stage: 'cluster level 0',
      items: 102,
      costUsd: 0.2,
      configKey: 'configs/broken.json',
      durationMs: 187_000,
      error: 'Sandbox.Timedout: Task timed out after 900.00 seconds',
    });
  });

  it('filters by status and limits the count', async () => {
    const failed = await runRunsCommand({ stack: 'OpenClio', clients, status: 'failed' });
    expect(failed.map((r) => r.configKey)).toEqual(['configs/broken.json']);
    expect(await runRunsCommand({ stack: 'OpenClio', clients, limit: 1 })).toHaveLength(1);
  });

  it('prints a table, with a failed run’s reason under it', async () => {
    const text = formatRunRows(await runRunsCommand({ stack: 'OpenClio', clients }), 'OpenClio');
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^run +created +status +items +cost +took +config$/);
    expect(lines[1]).toMatch(
      /^20261125T100300Z-[\w-]+ +2026-11-25T10:03:00Z +running \(summarize\) +103 +\$0\.30 +configs\/support\.json$/,
    );
    expect(lines[2]).toMatch(/ failed +102 +\$0\.20 +3m7s +configs\/broken\.json$/);
    expect(lines[3]).toBe('    Sandbox.Timedout: Task timed out after 900.00 seconds');
    expect(formatRunRows([], 'OpenClio')).toBe('No runs in stack OpenClio yet.');
  });
});

describe('the CLI', () => {
  it('refuses --estimate with --remote, and runs requires --remote', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-cli-'));
    try {
      const estimate = await runCli(['generate', '--remote', 'OpenClio', '--estimate'], dir);
      expect(estimate.code).toBe(2);
      expect(estimate.stderr).toContain('--estimate prices a local run');
      const runs = await runCli(['runs'], dir);
      expect(runs.code).not.toBe(0);
      expect(runs.stderr).toContain("required option '--remote <stack-name>'");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
