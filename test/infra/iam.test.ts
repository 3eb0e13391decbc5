import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { actionsOf, type Statement, stepStatements, synthApp } from './synth.js';

let main: Template;

beforeAll(() => {
  ({ main } = synthApp({ explorer: { public: true } }));
});

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** Active tracing: CDK's grant, on `*` (X-Ray has no resource-level permissions). */
const XRAY = ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'];
const S3_READ = ['s3:GetBucket*', 's3:GetObject*', 's3:List*'];
const S3_PUT = [
  's3:Abort*',
  's3:PutObject',
  's3:PutObjectLegalHold',
  's3:PutObjectRetention',
  's3:PutObjectTagging',
  's3:PutObjectVersionTagging',
];
const SECRETS = ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue'];
const BEDROCK = ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'];

/** The resources of the statements granting `action`, as flat strings. */
function resourcesOf(statements: readonly Statement[], action: string): string[] {
  return statements
    .filter((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action))
    .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
    .map((r) => JSON.stringify(r));
}

const sorted = (...groups: string[][]) => [...new Set(groups.flat())].sort();

describe('each step function has only its own grants', () => {
  it('Prepare: reads configs, writes run artifacts, creates the run record, reads the keys', () => {
    const statements = stepStatements(main, 'Prepare');
    // PutItem: which execution created the run, for CloseRun.
    expect(actionsOf(statements)).toEqual(
      sorted(LOGS, XRAY, S3_READ, S3_PUT, SECRETS, ['dynamodb:PutItem', 'dynamodb:UpdateItem']),
    );
    const puts = resourcesOf(statements, 's3:PutObject');
    expect(puts).toHaveLength(1);
    expect(puts[0]).toMatch(/StorageArtifacts.*\/runs\/\*/);
    const reads = resourcesOf(statements, 's3:GetObject*').join(' ');
    expect(reads).toMatch(/StorageConfigs\w+","Arn"\]\},"\/\*"/);
    expect(reads).toMatch(/StorageArtifacts.*\/runs\/\*/);
    expect(resourcesOf(statements, 'secretsmanager:GetSecretValue')).toHaveLength(2);
    expect(resourcesOf(statements, 'dynamodb:UpdateItem')).toEqual([
      expect.stringMatching(/^\{"Fn::GetAtt":\["RunsTable[0-9A-F]+","Arn"\]\}$/),
    ]);
  });

  it('SummarizeBatch and ClusterLevel: run artifacts, the Anthropic key, Bedrock models, the budget item', () => {
    for (const step of ['Summarize', 'ClusterLevel']) {
      const statements = stepStatements(main, step);
      expect(actionsOf(statements), step).toEqual(
        sorted(LOGS, XRAY, S3_READ, S3_PUT, SECRETS, BEDROCK, [
          'dynamodb:GetItem',
          'dynamodb:UpdateItem',
        ]),
      );
      // The run's shared budget lives in the run table; nothing else of DynamoDB.
      expect(resourcesOf(statements, 'dynamodb:UpdateItem'), step).toEqual([
        expect.stringMatching(/^\{"Fn::GetAtt":\["RunsTable[0-9A-F]+","Arn"\]\}$/),
      ]);
      const buckets = [
        ...resourcesOf(statements, 's3:GetObject*'),
        ...resourcesOf(statements, 's3:PutObject'),
      ];
      for (const r of buckets) expect(r, step).toMatch(/StorageArtifacts/);
      const secrets = resourcesOf(statements, 'secretsmanager:GetSecretValue');
      expect(secrets, step).toEqual([expect.stringMatching(/AnthropicApiKey/)]);
      const models = resourcesOf(statements, 'bedrock:InvokeModel').join(' ');
      expect(models).toContain('foundation-model/anthropic.claude-*');
      expect(models).toContain('inference-profile/*.anthropic.claude-*');
      expect(models).not.toMatch(/"\*"/);
    }
  });

  it('Finalize: run artifacts, writes the explorer data, the run and its hierarchy', () => {
    const statements = stepStatements(main, 'Finalize');
    expect(actionsOf(statements)).toEqual(
      sorted(LOGS, XRAY, S3_READ, S3_PUT, [
        'dynamodb:BatchWriteItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ]),
    );
    const puts = resourcesOf(statements, 's3:PutObject').join(' ');
    expect(puts).toMatch(/ExplorerBucket.*\/data\/\*/);
    expect(resourcesOf(statements, 's3:GetObject*').join(' ')).not.toMatch(/ExplorerBucket/);
    expect(resourcesOf(statements, 'dynamodb:Query').join(' ')).toContain('/index/runs-by-time');
  });

  it('MarkFailed: the run record, its artifacts, and releasing the trigger claim', () => {
    const statements = stepStatements(main, 'MarkFailed');
    expect(actionsOf(statements)).toEqual(
      sorted(LOGS, XRAY, S3_READ, S3_PUT, ['dynamodb:DeleteItem', 'dynamodb:UpdateItem']),
    );
  });

  it('ClaimTrigger claims; CloseRun reads, closes and frees, nothing else of the table', () => {
    expect(actionsOf(stepStatements(main, 'ClaimTrigger'))).toEqual(
      sorted(LOGS, XRAY, S3_READ, S3_PUT, ['dynamodb:PutItem']),
    );
    expect(actionsOf(stepStatements(main, 'CloseRun'))).toEqual(
      sorted(LOGS, XRAY, S3_READ, S3_PUT, [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ]),
    );
  });

  it('only X-Ray is granted on every resource, and nothing else is', () => {
    const steps = ['ClaimTrigger', 'Prepare', 'Summarize', 'ClusterLevel', 'Finalize'];
    for (const step of [...steps, 'MarkFailed', 'CloseRun']) {
      const everywhere = stepStatements(main, step).filter((s) => s.Resource === '*');
      expect(actionsOf(everywhere), step).toEqual(XRAY);
    }
  });

  it('no function gets the AWS managed basic execution role', () => {
    const roles = Object.entries(main.findResources('AWS::IAM::Role'));
    const steps = roles.filter(([id]) => id.startsWith('Steps'));
    expect(steps).toHaveLength(7);
    for (const [id, role] of steps) expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
  });

  it('the state machine invokes its six functions and writes Map results, nothing else', () => {
    const policies = Object.values(main.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.Roles).includes('PipelineStateMachineRole'),
    );
    const statements = policies.flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Statement[],
    );
    const invoked = new Set(
      resourcesOf(statements, 'lambda:InvokeFunction').map(
        (r) => /Steps(\w+?)Function/.exec(r)?.[1],
      ),
    );
    expect([...invoked].sort()).toEqual([
      'ClaimTrigger',
      'ClusterLevel',
      'Finalize',
      'MarkFailed',
      'Prepare',
      'SummarizeBatch',
    ]);
    expect(actionsOf(statements).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    // The Map's item reader and result writer, in the artifacts bucket only (CDK grants the
    // writer bucket-wide, not just its prefix).
    expect(actionsOf(statements).filter((a) => a.startsWith('s3:'))).toEqual([
      's3:AbortMultipartUpload',
      's3:GetObject',
      's3:ListMultipartUploadParts',
      's3:PutObject',
    ]);
    for (const r of resourcesOf(statements, 's3:PutObject')) expect(r).toMatch(/StorageArtifacts/);
  });
});
