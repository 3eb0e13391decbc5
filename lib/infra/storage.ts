import { Duration, RemovalPolicy } from 'aws-cdk-lib';
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
}

export function secureBucket(
  scope: Construct,
  id: string,
  options: SecureBucketOptions,
  props: BucketProps = {},
): Bucket {
  return new Bucket(scope, id, {
    // SSE-S3 rather than KMS: the configs bucket's ETag must stay the MD5 of the content, which
    // is how a re-upload of the same config is recognised; the others follow for simplicity.
    encryption: BucketEncryption.S3_MANAGED,
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
    const shared = { accessLogs: this.accessLogs, retainData: this.retainData };

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
