import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INTERMEDIATE_TAG } from '../../lib/store/s3-store.js';
import { synthApp } from './synth.js';

let main: Template;

beforeAll(() => {
  ({ main } = synthApp({ explorer: { public: true } }));
});

describe('buckets', () => {
  it('are encrypted, never public, and logged', () => {
    const buckets = main.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(4); // access logs, configs, artifacts, site
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            { ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } },
          ],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    const logged = Object.values(buckets).filter((b) => b.Properties.LoggingConfiguration);
    expect(logged).toHaveLength(3);
  });

  it('refuse requests without TLS 1.2', () => {
    const policies = Object.values(main.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      const denies = policy.Properties.PolicyDocument.Statement.filter(
        (s: { Effect: string }) => s.Effect === 'Deny',
      );
      expect(denies).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          expect.objectContaining({
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        ]),
      );
    }
  });

  it('expire intermediate artifacts (by tag) and Map results, and keep the outputs', () => {
    main.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
          Match.objectLike({
            Id: 'ExpireIntermediateArtifacts',
            Status: 'Enabled',
            ExpirationInDays: 30,
            TagFilters: [{ Key: INTERMEDIATE_TAG.key, Value: INTERMEDIATE_TAG.value }],
          }),
          Match.objectLike({
            Id: 'ExpireMapResults',
            Prefix: 'map-results/',
            ExpirationInDays: 30,
          }),
        ],
      },
    });
  });

  it('version configs and send their events to EventBridge', () => {
    main.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 90 } }),
        ]),
      },
    });
  });

  it('are retained with the data by default', () => {
    for (const bucket of Object.values(main.findResources('AWS::S3::Bucket')))
      expect(bucket.DeletionPolicy).toBe('Retain');
  });
});

describe('the runs table', () => {
  it('has point-in-time recovery, deletion protection and the runs index', () => {
    main.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          Match.objectLike({
            IndexName: 'runs-by-time',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
          }),
        ],
      }),
    });
  });
});

describe('secrets', () => {
  it('hold a placeholder for the Anthropic and LangSmith keys until an operator sets them', () => {
    const secrets = Object.values(main.findResources('AWS::SecretsManager::Secret'));
    expect(secrets).toHaveLength(2);
    for (const s of secrets) expect(s.Properties.SecretString).toBe('REPLACE_ME');
  });
});

describe('the upload trigger', () => {
  it('starts the state machine on Object Created under configs/*.json, with key, version and ETag', () => {
    main.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.s3'],
        'detail-type': ['Object Created'],
        detail: {
          bucket: { name: [Match.anyValue()] },
          object: { key: [{ wildcard: 'configs/*.json' }] },
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('PipelineStateMachine') },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
          InputTransformer: {
            InputPathsMap: {
              'detail-object-key': '$.detail.object.key',
              'detail-object-version-id': '$.detail.object.version-id',
              'detail-object-etag': '$.detail.object.etag',
            },
            InputTemplate:
              '{"configKey":<detail-object-key>,"configVersion":<detail-object-version-id>,"trigger":"upload#<detail-object-etag>"}',
          },
        }),
      ],
    });
  });

  it('sends undeliverable starts to an encrypted, TLS-only dead-letter queue', () => {
    main.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    main.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });
});
