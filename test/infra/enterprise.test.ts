import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/contract.js';
import { ACCOUNT, type Synthesized, stepStatements, synthApp } from './synth.js';

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
};
const resources = (template: Template) => template.toJSON().Resources as Record<string, Resource>;
const ofType = (template: Template, type: string) =>
  Object.entries(resources(template)).filter(([, r]) => r.Type === type);

/** The resources each resource needs first (Ref, Fn::GetAtt, DependsOn). */
function dependencies(template: Template): Map<string, Set<string>> {
  const all = resources(template);
  const edges = new Map<string, Set<string>>();
  const walk = (node: unknown, into: Set<string>): void => {
    if (Array.isArray(node)) for (const n of node) walk(n, into);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === 'Ref' && typeof value === 'string' && value in all) into.add(value);
        else if (key === 'Fn::GetAtt' && Array.isArray(value)) into.add(String(value[0]));
        else walk(value, into);
      }
  };
  for (const [id, r] of Object.entries(all)) {
    const into = new Set<string>([r.DependsOn ?? []].flat());
    walk(r.Properties, into);
    edges.set(id, into);
  }
  return edges;
}

/** A dependency cycle CloudFormation would refuse, as its resource ids, or undefined. */
function cycleIn(template: Template): string[] | undefined {
  const edges = dependencies(template);
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    state.set(id, 'open');
    path.push(id);
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id);
    if (cycle) return cycle;
  }
  return undefined;
}

const EXISTING_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000000`;
const SECRETS_KEY = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;

describe('the state machine logs', () => {
  it('go to a log group under /aws/vendedlogs/states/<stack>-, unique per stack instance', () => {
    const { main } = synthApp({ explorer: false });
    main.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: {
        'Fn::Join': [
          '',
          ['/aws/vendedlogs/states/OpenClio-Pipeline-', { 'Fn::Select': [4, Match.anyValue()] }],
        ],
      },
    });
    main.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ExecutionLogs'), 'Arn'] },
            },
          },
        ],
      }),
    });
  });
});

describe('a customer-managed key the stack creates', () => {
  let created: Synthesized;
  let keyId: string;
  beforeAll(() => {
    created = synthApp({
      explorer: { public: true },
      encryption: { key: 'create' },
      schedules: [{ name: 'daily', configKey: 'scheduled/a.json', expression: 'rate(1 day)' }],
    });
    const keys = ofType(created.main, 'AWS::KMS::Key').filter(
      ([, k]) => !String(k.Properties?.Description).includes('alarm'),
    );
    expect(keys).toHaveLength(1);
    keyId = (keys[0] as [string, Resource])[0];
  });
  const keyArn = () => ({ 'Fn::GetAtt': [keyId, 'Arn'] });

  it('rotates, and is kept with the data', () => {
    created.main.hasResource('AWS::KMS::Key', {
      Properties: Match.objectLike({ EnableKeyRotation: true }),
      DeletionPolicy: 'Retain',
    });
    created.main.hasResourceProperties('AWS::KMS::Alias', {
      AliasName: 'alias/open-clio/OpenClio',
    });
  });

  it('encrypts the configs and artifacts buckets, the table, the secrets and every log group', () => {
    const { main } = created;
    const byKey = ofType(main, 'AWS::S3::Bucket').filter(([, b]) =>
      JSON.stringify(b.Properties?.BucketEncryption).includes(`"${keyId}"`),
    );
    expect(byKey.map(([id]) => id.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual([
      'StorageArtifacts',
      'StorageConfigs',
    ]);
    main.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: keyArn() },
    });
    for (const [id, secret] of ofType(main, 'AWS::SecretsManager::Secret'))
      expect(secret.Properties?.KmsKeyId, id).toEqual(keyArn());
    const logGroups = ofType(main, 'AWS::Logs::LogGroup');
    expect(logGroups.length).toBeGreaterThanOrEqual(6);
    for (const [id, group] of logGroups) expect(group.Properties?.KmsKeyId, id).toEqual(keyArn());
  });

  it('leaves the access-log bucket on SSE-S3, which S3 and CloudFront logging require', () => {
    const logs = ofType(created.main, 'AWS::S3::Bucket').find(([id]) =>
      id.startsWith('StorageAccessLogs'),
    );
    expect(logs?.[1].Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
      ],
    });
  });

  it('lets CloudWatch Logs use it for this account and region only', () => {
    created.main.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, `:logs:eu-west-1:${ACCOUNT}:log-group:*`],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('lets CloudFront decrypt the explorer for this one distribution, without a dependency cycle', () => {
    const { main } = created;
    const [distribution] = ofType(main, 'AWS::CloudFront::Distribution')[0] as [string, Resource];
    main.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          {
            Action: 'kms:Decrypt',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Resource: '*',
            Condition: {
              StringEquals: {
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [`arn:aws:cloudfront::${ACCOUNT}:distribution/`, { Ref: distribution }],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
    // The site bucket names the key by its alias: naming the key itself would close the cycle
    // key policy → distribution → bucket → key.
    const site = ofType(main, 'AWS::S3::Bucket').find(([id]) => id.startsWith('ExplorerBucket'));
    expect(site?.[1].Properties?.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [
        {
          BucketKeyEnabled: true,
          ServerSideEncryptionByDefault: {
            SSEAlgorithm: 'aws:kms',
            KMSMasterKeyID: `arn:aws:kms:eu-west-1:${ACCOUNT}:alias/open-clio/OpenClio`,
          },
        },
      ],
    });
    expect(JSON.stringify(main.toJSON())).not.toContain('distribution/*');
    expect(cycleIn(main)).toBeUndefined();
  });

  it('grants the key to whoever reads or writes the encrypted data, and to no one else', () => {
    const { main } = created;
    const keyActions = (step: string) =>
      stepStatements(main, step)
        .filter((s) => JSON.stringify(s.Resource) === JSON.stringify(keyArn()))
        .flatMap((s) => [s.Action].flat())
        .sort();
    // Prepare writes artifacts; Finalize also writes the explorer bucket (by alias).
    expect(keyActions('Prepare')).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:Encrypt']),
    );
    expect(keyActions('Finalize')).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey', 'kms:GenerateDataKey*']),
    );
    // The state machine's Map reads the batch list and writes its results itself.
    main.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('StateMachineRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: keyArn(),
          }),
        ]),
      },
    });
    // The viewer's deployment writes the explorer bucket.
    main.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('CustomCDKBucketDeployment') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kms:GenerateDataKey']),
            Resource: keyArn(),
          }),
        ]),
      },
    });
  });
});

describe('an existing customer-managed key', () => {
  it('is used by ARN everywhere, and the stack creates none', () => {
    const { main } = synthApp({
      explorer: { public: true },
      encryption: { key: EXISTING_KEY },
    });
    main.resourceCountIs('AWS::KMS::Key', 0);
    main.resourceCountIs('AWS::KMS::Alias', 0);
    const buckets = ofType(main, 'AWS::S3::Bucket').filter(([id]) =>
      /^(StorageConfigs|StorageArtifacts|ExplorerBucket)/.test(id),
    );
    expect(buckets).toHaveLength(3);
    for (const [id, bucket] of buckets)
      expect(JSON.stringify(bucket.Properties?.BucketEncryption), id).toContain(
        `"KMSMasterKeyID":"${EXISTING_KEY}"`,
      );
    main.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: Match.objectLike({ KMSMasterKeyId: EXISTING_KEY }),
    });
    for (const [id, group] of ofType(main, 'AWS::Logs::LogGroup'))
      expect(group.Properties?.KmsKeyId, id).toBe(EXISTING_KEY);
    // Its policy is not the stack's: the grants are on the roles' own policies.
    const onKey = (step: string) =>
      stepStatements(main, step)
        .filter((s) => s.Resource === EXISTING_KEY)
        .flatMap((s) => [s.Action].flat());
    expect(onKey('Prepare')).toEqual(
      expect.arrayContaining(['kms:Decrypt', 'kms:GenerateDataKey*']),
    );
    expect(onKey('Finalize')).toEqual(expect.arrayContaining(['kms:GenerateDataKey']));
    expect(cycleIn(main)).toBeUndefined();
  });

  it('must be in the stack region', () => {
    expect(() =>
      synthApp({ explorer: false, encryption: { key: EXISTING_KEY } }, { region: 'us-west-2' }),
    ).toThrow(/the key .* is in eu-west-1, but the stack is in us-west-2/);
  });

  it('of existing secrets is granted to their readers, through Secrets Manager only', () => {
    const { main } = synthApp({
      explorer: false,
      existingSecrets: { ANTHROPIC_API_KEY: 'team/anthropic' },
      encryption: { existingSecretsKey: SECRETS_KEY },
    });
    const statements = stepStatements(main, 'Summarize');
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'kms:Decrypt',
          Resource: SECRETS_KEY,
          Condition: {
            StringEquals: { 'kms:ViaService': 'secretsmanager.eu-west-1.amazonaws.com' },
          },
        }),
      ]),
    );
    expect(JSON.stringify(stepStatements(main, 'Finalize'))).not.toContain(SECRETS_KEY);
  });
});

describe('governance options', () => {
  it('put the permissions boundary on every IAM role, CDK helper roles included', () => {
    for (const boundary of [`arn:aws:iam::${ACCOUNT}:policy/team-boundary`, 'team-boundary']) {
      const { main } = synthApp(
        {
          // us-east-1: the allow-list lives in the main stack.
          explorer: { allowedCidrs: ['203.0.113.0/24'] },
          permissionsBoundary: boundary,
          schedules: [{ name: 'daily', configKey: 'scheduled/a.json', expression: 'rate(1 day)' }],
          alarmEmail: 'ops@example.com',
          retainData: false,
        },
        { region: 'us-east-1' },
      );
      const roles = ofType(main, 'AWS::IAM::Role');
      // Steps, state machine, events, scheduler, bucket deployment, auto-delete helper.
      expect(roles.length).toBeGreaterThanOrEqual(9);
      for (const [id, role] of roles)
        expect(role.Properties?.PermissionsBoundary, id).toBe(
          `arn:aws:iam::${ACCOUNT}:policy/team-boundary`,
        );
    }
  });

  it('refuse a boundary where CDK would create roles without it (cross-region references)', () => {
    expect(() =>
      synthApp({
        explorer: { allowedCidrs: ['203.0.113.0/24'] },
        permissionsBoundary: 'team-boundary',
      }),
    ).toThrow(
      /permissionsBoundary cannot be combined with explorer.allowedCidrs outside us-east-1: .*set explorer.webAclArn/,
    );
  });

  it('tag every stack and resource, and protect the stacks from deletion', () => {
    const { app, main } = synthApp({
      explorer: { allowedCidrs: ['203.0.113.0/24'] },
      tags: { 'cost-center': 'ml-platform', owner: 'team-a' },
      terminationProtection: true,
    });
    const stacks = app.synth().stacks;
    expect(stacks).toHaveLength(2);
    for (const stack of stacks) {
      expect(stack.terminationProtection, stack.stackName).toBe(true);
      expect(stack.tags).toMatchObject({ 'cost-center': 'ml-platform', owner: 'team-a' });
    }
    main.hasResourceProperties('AWS::DynamoDB::Table', {
      Tags: Match.arrayWith([{ Key: 'cost-center', Value: 'ml-platform' }]),
    });
  });

  it('pass the base_url allow-list to the functions that create model clients', () => {
    const allowed = ['https://llm-gw.corp.example/'];
    const env = (main: Template) =>
      ofType(main, 'AWS::Lambda::Function')
        .filter(([, f]) => String(f.Properties?.Description).startsWith('OpenCLIO Prepare'))
        .map(
          ([, f]) =>
            (f.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)
              ?.Variables,
        );
    const [withList] = env(synthApp({ explorer: false, allowedBaseUrls: allowed }).main);
    expect(withList?.[ENV.allowedBaseUrls]).toBe(JSON.stringify(allowed));
    const [without] = env(synthApp({ explorer: false }).main);
    expect(without).not.toHaveProperty(ENV.allowedBaseUrls);
  });
});

describe('one stack name in two regions of an account', () => {
  /**
   * The physical names of account-wide resources (CloudFront, WAF): a `Name` property, or the
   * `Name` of its `…Config`; and the names of the stacks in us-east-1.
   */
  function globalNames(region: string): string[] {
    const { app, main, acl } = synthApp(
      { explorer: { allowedCidrs: ['203.0.113.0/24'] } },
      { region },
    );
    const names: string[] = [];
    for (const template of [main, acl])
      for (const r of Object.values(resources(template as Template))) {
        if (!/^AWS::(CloudFront|WAFv2)::/.test(r.Type)) continue;
        const props = r.Properties ?? {};
        const configs = Object.entries(props)
          .filter(([key]) => key.endsWith('Config'))
          .map(([, value]) => value as Record<string, unknown>);
        for (const name of [props.Name, ...configs.map((c) => c.Name)])
          if (name !== undefined) names.push(JSON.stringify(name));
      }
    const usEast1 = app.synth().stacks.filter((s) => s.environment.region === 'us-east-1');
    return [...names, ...usEast1.map((s) => `stack:${s.stackName}`)];
  }

  it('gives account-wide resources and the us-east-1 ACL stack names that do not collide', () => {
    const west = globalNames('eu-west-1');
    const central = globalNames('eu-central-1');
    // Two response-headers policies, the origin access control, the ACL stack.
    expect(west.length).toBeGreaterThanOrEqual(4);
    expect(west.filter((name) => central.includes(name))).toEqual([]);
  });
});
