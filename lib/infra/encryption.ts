import { Arn, ArnFormat, Aws, type IAspect, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import type { Bucket, CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct, type IConstruct, type IDependable } from 'constructs';

export interface DataKeyProps {
  /**
   * ARN of an existing key in the stack's region. The stack cannot edit its policy, which must
   * already allow CloudWatch Logs and CloudFront (README "Deploy on AWS" lists the statements).
   * @default a new key, with yearly rotation, owned by the stack
   */
  readonly keyArn?: string;
  /**
   * Keep a created key when the stack is deleted (retained data stays readable).
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * The customer-managed key of a deployment's data: the configs, artifacts and explorer buckets,
 * the table, the secrets the stack creates and every log group of the stack. Not the access-log
 * bucket (S3 server access logging and CloudFront standard logs only write to SSE-S3 buckets),
 * and not the dead-letter queues, which hold only start events (a config key and an ETag or
 * a time), never items or summaries.
 */
export class DataKey extends Construct {
  readonly key: IKey;
  /** The stack created the key, so it writes the key's policy. */
  readonly owned: boolean;
  /**
   * How the explorer bucket names the key: for a created key, by its alias. The key's policy
   * names the distribution (CloudFront may decrypt for it alone), the distribution names the
   * bucket, so a bucket naming the key itself would close a dependency cycle; S3 does not check
   * the key when the bucket is configured and resolves the alias when it encrypts an object.
   */
  readonly explorerKeyId: string;
  /** What writers of the explorer bucket wait for (the alias), when anything. */
  readonly explorerKeyReady: IDependable | undefined;

  constructor(scope: Construct, id: string, props: DataKeyProps = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    if (props.keyArn !== undefined) {
      const keyRegion = Arn.split(props.keyArn, ArnFormat.SLASH_RESOURCE_NAME).region;
      if (!Token.isUnresolved(stack.region) && keyRegion !== stack.region)
        throw new Error(
          `DataKey: the key ${props.keyArn} is in ${keyRegion}, but the stack is in ${stack.region}; S3, DynamoDB and CloudWatch Logs only use keys of their own region`,
        );
      this.key = Key.fromKeyArn(this, 'Key', props.keyArn);
      this.owned = false;
      this.explorerKeyId = props.keyArn;
      this.explorerKeyReady = undefined;
      return;
    }
    const key = new Key(this, 'Key', {
      description: `OpenCLIO ${stack.stackName}: buckets, table, secrets and logs`,
      enableKeyRotation: true,
      removalPolicy: props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts with the key on the log group's behalf; the encryption context
    // names the log group, so the grant covers this account's log groups in this region only.
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
        actions: [
          'kms:Encrypt*',
          'kms:Decrypt*',
          'kms:ReEncrypt*',
          'kms:GenerateDataKey*',
          'kms:Describe*',
        ],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${stack.region}:${stack.account}:log-group:*`,
          },
        },
      }),
    );
    const aliasName = `open-clio/${stack.stackName}`;
    this.key = key;
    this.owned = true;
    this.explorerKeyReady = new Alias(this, 'Alias', {
      aliasName: `alias/${aliasName}`,
      targetKey: key,
    });
    this.explorerKeyId = Arn.format(
      { service: 'kms', resource: 'alias', resourceName: aliasName },
      stack,
    );
  }

  /** Default encryption of a bucket CloudFront serves, naming the key by `explorerKeyId`. */
  encryptServedBucket(bucket: Bucket): void {
    (bucket.node.defaultChild as CfnBucket).bucketEncryption = {
      serverSideEncryptionConfiguration: [
        {
          serverSideEncryptionByDefault: {
            sseAlgorithm: 'aws:kms',
            kmsMasterKeyId: this.explorerKeyId,
          },
          bucketKeyEnabled: true,
        },
      ],
    };
  }

  /**
   * Lets CloudFront decrypt for this one distribution (origin access control signs its requests
   * as the distribution). Returns false for a key the stack does not own: its policy needs
   * the statement added by hand.
   */
  allowDistribution(distributionArn: string): boolean {
    if (!this.owned) return false;
    return this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      }),
    ).statementAdded;
  }

  /**
   * What a writer of the explorer bucket needs from the key: S3 asks KMS for a data key on the
   * writer's behalf (and to decrypt it again for multipart uploads). CDK's bucket grants cannot
   * add this, as the bucket names the key by alias.
   */
  grantServedBucketWrite(grantee: IGrantable): void {
    this.key.grant(grantee, 'kms:GenerateDataKey', 'kms:Decrypt');
  }
}

/**
 * Encrypts every log group of a scope with the key (the functions', the state machine's and
 * any added later), unless one already names a key.
 */
export class EncryptLogGroups implements IAspect {
  readonly #key: IKey;

  constructor(key: IKey) {
    this.#key = key;
  }

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup && node.kmsKeyId === undefined)
      node.kmsKeyId = this.#key.keyArn;
  }
}
