import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  CfnBucket,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { MAP_RESULTS_PREFIX } from '../../lambdas/contract.js';
import { INTERMEDIATE_TAG } from '../store/s3-store.js';
import { acknowledge } from './nag.js';

/** What every bucket of the stack shares: encrypted, TLS 1.2+ only, never public, logged. */
export interface SecureBucketOptions {
  /** Where S3 server access logs go; `undefined` only for the log bucket itself. */
  readonly accessLogs: IBucket | undefined;
  readonly retainData: boolean;
  /**
   * A customer-managed key for SSE-KMS (with an S3 Bucket Key, so objects do not each cost a
   * KMS call); CDK's grants on the bucket then include the key.
   * @default SSE-S3
   */
  readonly encryptionKey?: IKey | undefined;
}

export function secureBucket(
  scope: Construct,
  id: string,
  options: SecureBucketOptions,
  props: BucketProps = {},
): Bucket {
  return new Bucket(scope, id, {
    // SSE-S3 unless a customer-managed key is asked for: under SSE-S3 the configs bucket's ETag
    // is the MD5 of the content, which is how a re-upload of the same config is recognised.
    // Under SSE-KMS the ETag differs per upload, so identical content uploaded again starts a
    // run again (its summaries come from the caches; an event delivered twice still runs once).
    ...(options.encryptionKey
      ? {
          encryption: BucketEncryption.KMS,
          encryptionKey: options.encryptionKey,
          bucketKeyEnabled: true,
        }
      : { encryption: BucketEncryption.S3_MANAGED }),
    enforceSSL: true,
    minimumTLSVersion: 1.2,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    ...(options.accessLogs
      ? { serverAccessLogsBucket: options.accessLogs, serverAccessLogsPrefix: `s3/${id}/` }
      : {}),
    removalPolicy: options.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    autoDeleteObjects: !options.retainData,
    lifecycleRules: [
      { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ],
    ...props,
  });
}

export interface ClioStorageProps {
  /**
   * Keep buckets (and their data) when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
  /**
   * How long intermediate artifacts (item batches, summaries, caches, levels) are kept; the
   * outputs of a run (CSVs, `hierarchy.json`, `run.json`) are kept until deleted.
   * @default Duration.days(30)
   */
  readonly intermediateRetention?: Duration;
  /**
   * How long S3 and CloudFront access logs are kept.
   * @default Duration.days(365)
   */
  readonly accessLogRetention?: Duration;
  /**
   * Customer-managed key of the configs and artifacts buckets. The access-log bucket stays
   * SSE-S3: S3 server access logging and CloudFront standard logs cannot write to SSE-KMS.
   * @default SSE-S3
   */
  readonly encryptionKey?: IKey;
}

/**
 * The buckets of a deployment: uploaded configs (an upload starts a run), run artifacts under
 * `runs/<runId>/`, and the access logs of every bucket and of CloudFront.
 */
export class ClioStorage extends Construct {
  readonly accessLogs: Bucket;
  readonly configs: Bucket;
  readonly artifacts: Bucket;
  readonly retainData: boolean;

  constructor(scope: Construct, id: string, props: ClioStorageProps = {}) {
    super(scope, id);
    const intermediate = props.intermediateRetention ?? Duration.days(30);
    const logsKept = props.accessLogRetention ?? Duration.days(365);
    for (const [name, value] of [
      ['intermediateRetention', intermediate],
      ['accessLogRetention', logsKept],
    ] as const) {
      if (!value.isUnresolved() && value.toDays({ integral: false }) < 1)
        throw new Error(
          `ClioStorage: ${name} must be at least 1 day, got ${value.toHumanString()}`,
        );
    }
    this.retainData = props.retainData ?? true;

    this.accessLogs = secureBucket(
      this,
      'AccessLogs',
      { accessLogs: undefined, retainData: this.retainData },
      {
        // CloudFront standard logging writes with ACLs.
        objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
        lifecycleRules: [{ id: 'ExpireLogs', expiration: logsKept }],
      },
    );
    acknowledge(
      this.accessLogs,
      'AwsSolutions-S1',
      'This is the access log bucket of the stack; logging its own accesses into itself would loop.',
    );
    const shared = {
      accessLogs: this.accessLogs,
      retainData: this.retainData,
      encryptionKey: props.encryptionKey,
    };

    this.configs = secureBucket(this, 'Configs', shared, {
      versioned: true,
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        { id: 'ExpireOldVersions', noncurrentVersionExpiration: Duration.days(90) },
      ],
    });
    // Set on the bucket resource itself: `eventBridgeEnabled: true` would add a custom-resource
    // Lambda just to make this one API call.
    (this.configs.node.defaultChild as CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.artifacts = secureBucket(this, 'Artifacts', shared, {
      lifecycleRules: [
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
        {
          id: 'ExpireIntermediateArtifacts',
          tagFilters: { [INTERMEDIATE_TAG.key]: INTERMEDIATE_TAG.value },
          expiration: intermediate,
        },
        // The Summarize map's per-batch results: only read when debugging a Map Run.
        { id: 'ExpireMapResults', prefix: MAP_RESULTS_PREFIX, expiration: intermediate },
      ],
    });
  }
}

/** True when `bucket` sends its events to EventBridge (set by `ClioStorage` on the configs bucket). */
export function sendsEventsToEventBridge(bucket: IBucket): boolean {
  const cfn = bucket.node.defaultChild;
  if (!(cfn instanceof CfnBucket)) return false;
  const config = cfn.notificationConfiguration as
    | CfnBucket.NotificationConfigurationProperty
    | undefined;
  const bridge = config?.eventBridgeConfiguration as
    | CfnBucket.EventBridgeConfigurationProperty
    | undefined;
  return bridge?.eventBridgeEnabled === true;
}
