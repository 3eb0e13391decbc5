import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.js';
import { RemoteConfigError, StackError } from '../../lib/remote/errors.js';
import { discoverStack, explorerRunUrl } from '../../lib/remote/stack.js';
import { planUpload } from '../../lib/remote/upload.js';

// aws-sdk-client-mock is typed against an older @smithy/types than the SDK clients; it works alike.
const client = new CloudFormationClient({ region: 'eu-west-1' });
const cfn = mockClient(client as never);
const DescribeStacks = DescribeStacksCommand as never;

const OUTPUTS = {
  ConfigsBucketName: 'openclio-storageconfigs-1a2b',
  ArtifactsBucketName: 'openclio-storageartifacts-3c4d',
  RunsTableName: 'OpenClio-RunsTable-5E6F',
  StateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:PipelineStateMachine-7G8H',
  ExplorerUrlF549A5DD: 'https://d111111abcdef8.cloudfront.net/',
  AnthropicSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:anthropic',
};

const stack =
  (outputs: Record<string, string>, status = 'CREATE_COMPLETE') =>
  (): DescribeStacksCommandOutput => ({
    $metadata: {},
    Stacks: [
      {
        StackName: 'OpenClio',
        StackStatus: status as never,
        CreationTime: new Date(),
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({
          OutputKey,
          OutputValue,
        })),
      },
    ],
  });

beforeEach(() => cfn.reset());

describe('discoverStack', () => {
  it("reads the buckets, table, state machine and explorer from the stack's outputs", async () => {
    cfn.on(DescribeStacks, { StackName: 'OpenClio' }).callsFake(stack(OUTPUTS));
    const found = await discoverStack(client, 'OpenClio');
    expect(found).toEqual({
      name: 'OpenClio',
      region: 'eu-west-1',
      configsBucket: OUTPUTS.ConfigsBucketName,
      artifactsBucket: OUTPUTS.ArtifactsBucketName,
      tableName: OUTPUTS.RunsTableName,
      stateMachineArn: OUTPUTS.StateMachineArn,
      explorerUrl: 'https://d111111abcdef8.cloudfront.net',
    });
    expect(explorerRunUrl(found.explorerUrl as string, '20261125T114218Z-84e632')).toBe(
      'https://d111111abcdef8.cloudfront.net/#run=20261125T114218Z-84e632',
    );
  });

  it('has no explorer URL for a stack deployed without one', async () => {
    const { ExplorerUrlF549A5DD: _, ...rest } = OUTPUTS;
    cfn.on(DescribeStacks).callsFake(stack(rest));
    expect((await discoverStack(client, 'OpenClio')).explorerUrl).toBeUndefined();
  });

  it('names the stack and the region when the stack does not exist', async () => {
    cfn.on(DescribeStacks).rejects(
      Object.assign(new Error('Stack with id Missing does not exist'), {
        name: 'ValidationError',
      }),
    );
    const error = await discoverStack(client, 'Missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackError);
    expect(error).toMatchObject({ stackName: 'Missing' });
    expect((error as Error).message).toMatch(/^stack "Missing" does not exist in eu-west-1: /);
  });

  it('lists the outputs a stack lacks, with its status', async () => {
    cfn.on(DescribeStacks).callsFake(stack({ ConfigsBucketName: 'b' }, 'ROLLBACK_COMPLETE'));
    await expect(discoverStack(client, 'OpenClio')).rejects.toThrow(
      'stack "OpenClio" (ROLLBACK_COMPLETE) lacks the outputs ArtifactsBucketName, RunsTableName, StateMachineArn',
    );
  });

  it('lets other errors (credentials, throttling) through unchanged', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
    cfn.on(DescribeStacks).rejects(denied);
    await expect(discoverStack(client, 'OpenClio')).rejects.toBe(denied);
  });
});

describe('planUpload', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-plan-'));
    await mkdir(join(dir, 'cfg'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const plan = async (config: Record<string, unknown>, name = 'support.json') => {
    const body = { hierarchy: [4, 2], summary_prompt: 'S: {{example.inputs}}', ...config };
    await writeFile(join(dir, 'cfg', name), JSON.stringify(body));
    return planUpload(await loadConfig(join('cfg', name), { cwd: dir }));
  };

  it('puts the config under configs/ and its source where Prepare resolves it', async () => {
    const p = await plan({ source: { file: 'data/tickets.jsonl' } });
    expect(p.configKey).toBe('configs/support.json');
    expect(p.source).toEqual({
      path: join(dir, 'cfg/data/tickets.jsonl'),
      key: 'configs/data/tickets.jsonl',
    });
    expect(p.trigger).toMatch(/^upload#[0-9a-f]{32}$/);
    expect(p.configBody.toString()).toContain('"data/tickets.jsonl"');
  });

  it('keeps a path above the config folder relative to the bucket root', async () => {
    const p = await plan({ source: { file: '../shared/tickets.csv' } }, 'other.config.json');
    expect(p.configKey).toBe('configs/other.config.json');
    expect(p.source?.key).toBe('shared/tickets.csv');
  });

  it('uploads no source for a LangSmith dataset', async () => {
    expect((await plan({ dataset_name: 'tickets' })).source).toBeUndefined();
  });

  it('refuses a source that would start a run of its own', async () => {
    await expect(plan({ source: { file: 'rows.json', format: 'jsonl' } })).rejects.toBeInstanceOf(
      RemoteConfigError,
    );
  });
});
