import { Arn, ArnFormat, Aws, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct } from 'constructs';
import { TABLE_SCHEMA } from '../store/dynamo-hierarchy.js';
import { acknowledge, wildcardAction, wildcardResource } from './nag.js';

/**
 * Grants that leave IAM wildcards, each acknowledged for cdk-nag beside the grant that makes it,
 * on `owner` (the construct holding the role), so a finding nobody thought about still fails.
 */

/** Object access under one key prefix; `read` includes listing, which S3 needs to answer a
 * missing key with 404 (NoSuchKey) instead of 403. */
export function grantObjects(
  owner: IConstruct,
  grantee: IGrantable,
  bucket: IBucket,
  access: {
    readonly prefix: string;
    readonly read?: boolean;
    readonly write?: boolean;
    readonly why: string;
  },
): void {
  const pattern = `${access.prefix}*`;
  const grants = [
    ...(access.read ? [bucket.grantRead(grantee, pattern)] : []),
    ...(access.write ? [bucket.grantPut(grantee, pattern)] : []),
  ];
  const actions = grants
    .flatMap((grant) => grant.principalStatements.flatMap((s) => s.actions))
    .filter((action) => action.includes('*'));
  for (const action of new Set(actions))
    acknowledge(
      owner,
      wildcardAction(action),
      `CDK's S3 grant action group (${action}), limited to ${access.prefix || 'the objects'} of one bucket: ${access.why}`,
    );
  // CDK adds the bucket's key to its grants; writers get its action groups.
  if (access.write && bucket.encryptionKey) acknowledgeKeyActionGroups(owner);
  acknowledge(
    owner,
    wildcardResource(owner, bucket.arnForObjects(pattern)),
    `Object keys are created at run time (per run and batch); access is limited to "${pattern}" of this one bucket: ${access.why}`,
  );
}

/** CDK's KMS action groups for writers, which it grants with a bucket's or table's key. */
const KEY_WRITE_ACTIONS = ['kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Decrypt'];
const KEY_READ_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey'];

function acknowledgeKeyActionGroups(owner: IConstruct): void {
  for (const action of KEY_WRITE_ACTIONS.filter((a) => a.includes('*')))
    acknowledge(
      owner,
      wildcardAction(action),
      `CDK's KMS grant action group (${action}) on the stack's one data key, which only encrypts this deployment's buckets, table and logs: writers need a data key per object or item.`,
    );
}

/**
 * What a user of a table with a customer-managed key needs from the key (DynamoDB calls KMS
 * as the caller): the actions CDK's own table grants give, read-only when `write` is false.
 */
export function grantTableKey(grantee: IGrantable, table: ITable, write: boolean): void {
  const key: IKey | undefined = table.encryptionKey;
  if (!key) return;
  key.grant(grantee, ...new Set([...KEY_READ_ACTIONS, ...(write ? KEY_WRITE_ACTIONS : [])]));
  if (write && Construct.isConstruct(grantee)) acknowledgeKeyActionGroups(grantee);
}

/** DynamoDB actions that only read. */
const TABLE_READS = new Set(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']);

/** Table actions on the table itself, plus Query on the runs index when listed: exact ARNs. */
export function grantTable(grantee: IGrantable, table: ITable, actions: readonly string[]): void {
  if (actions.length === 0) return;
  grantTableKey(
    grantee,
    table,
    actions.some((a) => !TABLE_READS.has(a)),
  );
  Grant.addToPrincipal({
    grantee,
    actions: [...actions],
    resourceArns: [
      table.tableArn,
      ...(actions.includes('dynamodb:Query')
        ? [`${table.tableArn}/index/${TABLE_SCHEMA.runsIndex.name}`]
        : []),
    ],
  });
}

/** Model ids (or id patterns) a Bedrock grant covers, when not configured. */
export const DEFAULT_BEDROCK_MODELS = [
  'anthropic.claude-*',
  'amazon.titan-embed-*',
  'cohere.embed-*',
] as const;

/**
 * bedrock:InvokeModel on the given foundation models, in any region (cross-region inference
 * profiles route to other regions), and on this account's inference profiles for them.
 */
export function grantBedrock(owner: IConstruct, fn: IGrantable, modelIds: readonly string[]): void {
  if (modelIds.length === 0) return;
  const stack = Stack.of(owner);
  const resources = modelIds.flatMap((id) => [
    Arn.format(
      {
        service: 'bedrock',
        region: '*',
        account: '',
        resource: 'foundation-model',
        resourceName: id,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    ),
    Arn.format(
      {
        service: 'bedrock',
        region: '*',
        account: Aws.ACCOUNT_ID,
        resource: 'inference-profile',
        resourceName: `*.${id}`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      },
      stack,
    ),
  ]);
  Grant.addToPrincipal({
    grantee: fn,
    actions: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
    resourceArns: resources,
  });
  for (const resource of resources)
    acknowledge(
      owner,
      wildcardResource(owner, resource),
      'Bedrock model ids carry versions and regional inference-profile prefixes (us., eu.); the grant names the model families the config may choose, nothing else.',
    );
}
