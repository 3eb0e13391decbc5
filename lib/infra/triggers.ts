import { Duration } from 'aws-cdk-lib';
import { EventField, Match, Rule, RuleTargetInput } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge } from './nag.js';
import { sendsEventsToEventBridge } from './storage.js';

/** A queue for starts EventBridge or the Scheduler could not deliver, kept for two weeks. */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    queue,
    'AwsSolutions-SQS3',
    'This queue is itself a dead-letter queue (of an EventBridge target or a schedule); an alarm watches it.',
  );
  return queue;
}

export interface ConfigUploadTriggerProps {
  /** The configs bucket; it must send its events to EventBridge (`ClioStorage` sets this). */
  readonly bucket: IBucket;
  readonly stateMachine: IStateMachine;
  /**
   * Uploads under this prefix with a `.json` name start a run.
   * @default 'configs/'
   */
  readonly prefix?: string;
}

/**
 * Uploading `configs/*.json` starts a run: S3 → EventBridge → Step Functions, with the object
 * key and version as the run's config. The ETag goes along as the trigger id: the state
 * machine claims `key + ETag` in DynamoDB before doing anything, so the same content uploaded
 * again while the claim lives (or an event delivered twice) does not start a second run.
 */
export class ConfigUploadTrigger extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ConfigUploadTriggerProps) {
    super(scope, id);
    const prefix = props.prefix ?? 'configs/';
    if (!/^[A-Za-z0-9!_.'()/-]+\/$/.test(prefix) || prefix.startsWith('/'))
      throw new Error(
        `ConfigUploadTrigger: prefix must be a relative key prefix ending in "/", got "${prefix}"`,
      );
    if (!sendsEventsToEventBridge(props.bucket))
      throw new Error(
        'ConfigUploadTrigger: the bucket does not send events to EventBridge; use the configs bucket of ClioStorage',
      );
    this.deadLetterQueue = deadLetterQueue(this, 'DeadLetters');
    this.rule = new Rule(this, 'Rule', {
      description: `Start an OpenCLIO run when a config is uploaded to ${prefix}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: Match.wildcard(`${prefix}*.json`) },
        },
      },
    });
    this.rule.addTarget(
      new SfnStateMachine(props.stateMachine, {
        input: RuleTargetInput.fromObject({
          configKey: EventField.fromPath('$.detail.object.key'),
          // The version uploaded, which Prepare reads (not whatever is latest by then).
          configVersion: EventField.fromPath('$.detail.object.version-id'),
          trigger: `upload#${EventField.fromPath('$.detail.object.etag')}`,
        }),
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      }),
    );
  }
}
