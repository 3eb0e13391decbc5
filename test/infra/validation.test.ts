import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { describe, expect, it } from 'vitest';
import { ExplorerWebAcl, parseCidrs } from '../../lib/infra/access.js';
import { PipelineAlarms } from '../../lib/infra/alarms.js';
import { buildApp } from '../../lib/infra/app.js';
import { PROJECT_ROOT } from '../../lib/infra/bundle/bundling.js';
import { parseDeployConfig, readDeployConfig } from '../../lib/infra/config.js';
import { ClioFunctions } from '../../lib/infra/functions.js';
import { ClioPipeline } from '../../lib/infra/pipeline.js';
import { type RunScheduleSpec, RunSchedules } from '../../lib/infra/schedules.js';
import { ClioSecrets } from '../../lib/infra/secrets.js';
import { type ExplorerAccess, ExplorerSite } from '../../lib/infra/site.js';
import { ClioStorage } from '../../lib/infra/storage.js';
import { ClioTable } from '../../lib/infra/table.js';
import { ConfigUploadTrigger } from '../../lib/infra/triggers.js';
import { TEST_VIEWER_DIST } from './synth.js';

const stack = (region = 'eu-west-1') =>
  new Stack(new App(), 'Test', { env: { account: '123456789012', region } });

function pipeline(props: { summarizeConcurrency?: number; toleratedFailurePercentage?: number }) {
  const s = stack();
  const fn = LambdaFunction.fromFunctionArn(
    s,
    'Fn',
    'arn:aws:lambda:eu-west-1:123456789012:function:f',
  );
  const functions = {
    claimTrigger: fn,
    prepare: fn,
    summarizeBatch: fn,
    clusterLevel: fn,
    finalize: fn,
    markFailed: fn,
  };
  return new ClioPipeline(s, 'Pipeline', {
    functions,
    artifacts: new Bucket(s, 'Artifacts'),
    ...props,
  });
}

function schedules(...specs: RunScheduleSpec[]) {
  const s = stack();
  const stateMachine = new StateMachine(s, 'Sm', {
    definitionBody: DefinitionBody.fromChainable(new Pass(s, 'P')),
  });
  return new RunSchedules(s, 'Schedules', {
    stateMachine,
    schedules: specs,
    deadLetterQueue: new Queue(s, 'Dlq'),
  });
}

function site(
  access: ExplorerAccess,
  extra: { domain?: { names: string[]; certificateArn: string }; viewerDist?: string } = {},
) {
  const s = stack();
  return new ExplorerSite(s, 'Explorer', {
    access,
    accessLogs: new Bucket(s, 'Logs'),
    viewerDist: TEST_VIEWER_DIST,
    ...extra,
  });
}

describe('constructors reject bad props with a message naming the prop', () => {
  it('ClioPipeline: concurrency and tolerated failures', () => {
    expect(() => pipeline({ summarizeConcurrency: 0 })).toThrow(
      'ClioPipeline: summarizeConcurrency must be an integer from 1 to 10000, got 0',
    );
    expect(() => pipeline({ toleratedFailurePercentage: 150 })).toThrow(
      'ClioPipeline: toleratedFailurePercentage must be from 0 to 100, got 150',
    );
  });

  it('ClioFunctions: batch size and memory', () => {
    const s = stack();
    const storage = new ClioStorage(s, 'Storage');
    const base = {
      configs: storage.configs,
      artifacts: storage.artifacts,
      table: new ClioTable(s, 'Table').table,
      secrets: new ClioSecrets(s, 'Secrets'),
    };
    expect(() => new ClioFunctions(s, 'A', { ...base, batchSize: 0 })).toThrow(
      'ClioFunctions: batchSize must be an integer from 1 to 5000, got 0',
    );
    expect(
      () => new ClioFunctions(s, 'B', { ...base, memoryMiB: { clusterLevel: 20_000 } }),
    ).toThrow(
      'ClioFunctions: memoryMiB.clusterLevel must be an integer from 128 to 10240, got 20000',
    );
    expect(
      () => new ClioFunctions(s, 'C', { ...base, memoryMiB: { cluster: 4096 } as never }),
    ).toThrow(
      /memoryMiB.cluster is not a step; expected one of claimTrigger, prepare, summarizeBatch/,
    );
    expect(() => new ClioFunctions(s, 'D', { ...base, summarizeReservedConcurrency: 0.5 })).toThrow(
      'ClioFunctions: summarizeReservedConcurrency must be false or an integer from 1 to 10000, got 0.5',
    );
  });

  it('RunSchedules: windows that would overlap or skip, and malformed schedules', () => {
    const daily = { name: 'daily', configKey: 'scheduled/a.json', expression: 'rate(1 day)' };
    expect(() => schedules({ ...daily, windowHours: 48 })).toThrow(
      'RunSchedules: schedule "daily": windowHours (48) must equal the rate (24 h), or consecutive windows would overlap',
    );
    expect(() => schedules({ ...daily, windowHours: 12 })).toThrow(/would skip time/);
    expect(() => schedules({ ...daily, expression: 'cron(0 6 15W * ? *)' })).toThrow(
      'RunSchedules: schedule "daily": cron(0 6 15W * ? *): the W (nearest weekday) form cannot be stepped back',
    );
    expect(() =>
      schedules({ ...daily, expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Parris' }),
    ).toThrow('time zone "Europe/Parris" is not an IANA time zone');
    expect(() => schedules({ ...daily, expression: 'every day' })).toThrow(
      /expression must be rate\(<n> minutes\|hours\|days\) or cron\(<6 fields>\), got "every day"/,
    );
    expect(() => schedules({ ...daily, configKey: '/abs.json' })).toThrow(
      /configKey must be a relative \.json key/,
    );
    expect(() => schedules({ ...daily, name: 'has space' })).toThrow(/must be 1-64 letters/);
    expect(() => schedules(daily, daily)).toThrow(
      'RunSchedules: schedule name "daily" is used twice',
    );
    // Any whole number of minutes synthesizes, and Prepare reads the same expression.
    expect(() => schedules({ ...daily, expression: 'rate(30 minutes)' })).not.toThrow();
  });

  it('ExplorerSite: exactly one access choice, valid CIDRs, ARNs and domains', () => {
    const choose = /choose exactly one of access.allowedCidrs/;
    expect(() => site({})).toThrow(choose);
    expect(() => site({ public: true, allowedCidrs: ['203.0.113.0/24'] })).toThrow(choose);
    expect(() => site({ public: false })).toThrow(choose);
    expect(() => site({ allowedCidrs: ['203.0.113.0/33'] })).toThrow(
      'ExplorerSite: "203.0.113.0/33" is not a CIDR like 203.0.113.0/24 or 2001:db8::/32',
    );
    expect(() =>
      site({ webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1' }),
    ).toThrow(/webAclArn must be a CLOUDFRONT-scope \(global\) web ACL ARN in us-east-1/);
    expect(() =>
      site(
        { public: true },
        {
          domain: {
            names: ['a.example.com'],
            certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/x',
          },
        },
      ),
    ).toThrow(
      'ExplorerSite: domain needs at least one name and an ACM certificate ARN in us-east-1',
    );
    const unbuilt = mkdtempSync(join(tmpdir(), 'unbuilt-viewer-'));
    expect(() => site({ public: true }, { viewerDist: unbuilt })).toThrow(
      /ExplorerSite: the viewer build .*unbuilt-viewer-.* has no index.html; build it \(npm run build:viewer\) or point viewerDist at a built copy/,
    );
    expect(parseCidrs(['10.0.0.0/8', '::1/128'], 'x')).toEqual({
      v4: ['10.0.0.0/8'],
      v6: ['::1/128'],
    });
    expect(() => parseCidrs([], 'x')).toThrow('x: allowedCidrs must list at least one CIDR');
  });

  it('ExplorerWebAcl: only in us-east-1, where CloudFront takes web ACLs from', () => {
    expect(
      () => new ExplorerWebAcl(stack('eu-west-1'), 'Acl', { allowedCidrs: ['203.0.113.0/24'] }),
    ).toThrow(
      /must be created in us-east-1, but this stack's region is eu-west-1; put it in an ExplorerAclStack/,
    );
    expect(
      () =>
        new ExplorerWebAcl(new Stack(new App(), 'Agnostic'), 'Acl', {
          allowedCidrs: ['203.0.113.0/24'],
        }),
    ).toThrow(/this stack's region is not set/);
  });

  it('ConfigUploadTrigger, PipelineAlarms, ClioStorage, ClioSecrets', () => {
    const s = stack();
    const stateMachine = new StateMachine(s, 'Sm', {
      definitionBody: DefinitionBody.fromChainable(new Pass(s, 'P')),
    });
    expect(
      () => new ConfigUploadTrigger(s, 'T1', { bucket: new Bucket(s, 'Plain'), stateMachine }),
    ).toThrow(
      'ConfigUploadTrigger: the bucket does not send events to EventBridge; use the configs bucket of ClioStorage',
    );
    const storage = new ClioStorage(s, 'Storage');
    expect(
      () =>
        new ConfigUploadTrigger(s, 'T2', {
          bucket: storage.configs,
          stateMachine,
          prefix: 'configs',
        }),
    ).toThrow(
      'ConfigUploadTrigger: prefix must be a relative key prefix ending in "/", got "configs"',
    );
    expect(
      () => new PipelineAlarms(s, 'Alarms', { stateMachine, deadLetterQueues: [], email: 'ops' }),
    ).toThrow('PipelineAlarms: email "ops" is not an email address');
    expect(() => new ClioStorage(s, 'S2', { intermediateRetention: Duration.hours(2) })).toThrow(
      'ClioStorage: intermediateRetention must be at least 1 day, got 2 hours',
    );
    expect(() => new ClioSecrets(s, 'Sec', { existing: { ANTHROPIC_API_KEY: ' ' } })).toThrow(
      'ClioSecrets: existing.ANTHROPIC_API_KEY must be a non-empty secret name',
    );
  });
});

describe('the deploy config', () => {
  it('names each problem by its key', () => {
    expect(() =>
      parseDeployConfig({ explorer: { public: true }, concurrency: 5 }, 'deploy.json'),
    ).toThrow(
      /invalid deploy config \(deploy.json\):\n {2}\(root\): Unrecognized key: "concurrency"/,
    );
    expect(() => parseDeployConfig({}, 'x')).toThrow(
      / {2}explorer: required: choose who may read the explorer: \{"allowedCidrs": \[\.\.\.\]\} \(WAF IP allow-list\), \{"webAclArn": "\.\.\."\} .*\{"public": true\} .*or false \(no explorer\)/,
    );
    expect(() => parseDeployConfig({ explorer: {} }, 'x')).toThrow(
      / {2}explorer: choose exactly one of \{"allowedCidrs"/,
    );
    expect(() => parseDeployConfig({ explorer: 'public' }, 'x')).toThrow(
      / {2}explorer: \{"allowedCidrs"/,
    );
    expect(() => parseDeployConfig({ explorer: false, region: 'Europe' }, 'x')).toThrow(
      /region: an AWS region such as eu-west-1/,
    );
    expect(() =>
      parseDeployConfig({ explorer: false, schedules: [{ name: 'a', configKey: 'b.json' }] }, 'x'),
    ).toThrow(/schedules\.0\.expression/);
  });

  it('names the key of each enterprise option that is malformed', () => {
    const bad = (extra: Record<string, unknown>) => () =>
      parseDeployConfig({ explorer: false, ...extra }, 'x');
    expect(bad({ encryption: { key: 'yes' } })).toThrow(
      /encryption\.key: "create" or a KMS key ARN/,
    );
    expect(bad({ encryption: { existingSecretsKey: 'arn:aws:kms:eu-west-1:1:key/x' } })).toThrow(
      /encryption\.existingSecretsKey: a KMS key ARN/,
    );
    expect(
      bad({
        encryption: { existingSecretsKey: 'arn:aws:kms:eu-west-1:123456789012:key/0a1b' },
      }),
    ).toThrow(/encryption\.existingSecretsKey: only with existingSecrets/);
    expect(bad({ permissionsBoundary: 'arn:aws:iam::123:role/x' })).toThrow(
      /permissionsBoundary: a managed policy ARN/,
    );
    expect(bad({ allowedBaseUrls: ['llm-gw.corp.example'] })).toThrow(
      /allowedBaseUrls\.0: an http\(s\) URL without query or fragment/,
    );
    expect(bad({ tags: { 'aws:owner': 'x' } })).toThrow(
      /tags\.aws:owner: a tag key of 1-128 characters, not starting with "aws:"/,
    );
    expect(bad({ terminationProtection: 'yes' })).toThrow(/terminationProtection/);
  });

  it('has no explorer default in cdk.json: a deploy names who may read it', () => {
    const context = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')).context;
    expect(() => readDeployConfig((key) => context[key])).toThrow(
      /context openClio\):\n {2}explorer: required: choose who may read the explorer/,
    );
  });

  it('is read from -c config=<file>, else from the openClio context', () => {
    const dir = mkdtempSync(join(tmpdir(), 'deploy-'));
    writeFileSync(join(dir, 'deploy.json'), JSON.stringify({ explorer: false, batchSize: 50 }));
    const fromFile = readDeployConfig((key) => (key === 'config' ? 'deploy.json' : undefined), dir);
    expect(fromFile).toMatchObject({
      stackName: 'OpenClio',
      explorer: false,
      batchSize: 50,
      schedules: [],
    });
    const inline = readDeployConfig((key) =>
      key === 'openClio' ? '{"explorer": false}' : undefined,
    );
    expect(inline.explorer).toBe(false);
    expect(() => readDeployConfig(() => undefined)).toThrow(
      'no deploy config: pass -c config=deploy.json or set the "openClio" context in cdk.json',
    );
    expect(() =>
      readDeployConfig((key) => (key === 'config' ? 'missing.json' : undefined), dir),
    ).toThrow(/cannot read deploy config .*missing.json/);
  });

  it('needs a region for an IP allow-list, which decides where the web ACL goes', () => {
    const config = parseDeployConfig({ explorer: { allowedCidrs: ['203.0.113.0/24'] } }, 'x');
    expect(() => buildApp(new App(), config, {})).toThrow(
      /explorer.allowedCidrs needs the target region: set "region" in the deploy config/,
    );
  });
});
