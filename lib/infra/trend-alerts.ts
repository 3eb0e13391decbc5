import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/contract.js';

export interface TrendAlertsProps {
  /** The function that finishes runs (Finalize): it compares each run with the one before. */
  readonly publisher: IFunction & { addEnvironment(key: string, value: string): unknown };
  /** Who gets an email per alert. @default none: subscribe to the topic yourself */
  readonly email?: string;
  /** Percentage points a cluster's share must gain. @default 1 */
  readonly minPoints?: number;
  /** …and the factor it must grow by. @default 1.25 */
  readonly minRatio?: number;
  /** The explorer's address, for links to the clusters. @default no links */
  readonly explorerUrl?: string;
}

/**
 * An SNS topic told when a finished run's clusters emerged or grew against the run before of
 * the same config (scheduled tracing windows, typically): the message names each cluster with its
 * share before and now, and links it in the explorer. Encrypted with a key of its own.
 */
export class TrendAlerts extends Construct {
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: TrendAlertsProps) {
    super(scope, id);
    if (props.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email))
      throw new Error(`TrendAlerts: email "${props.email}" is not an email address`);
    if (props.minPoints !== undefined && !(props.minPoints >= 0))
      throw new Error(`TrendAlerts: minPoints must be 0 or more, got ${props.minPoints}`);
    if (props.minRatio !== undefined && !(props.minRatio >= 1))
      throw new Error(`TrendAlerts: minRatio must be 1 or more, got ${props.minRatio}`);
    const key = new Key(this, 'TopicKey', {
      enableKeyRotation: true,
      description: 'OpenCLIO trend alerts topic',
    });
    this.topic = new Topic(this, 'Topic', {
      displayName: 'OpenCLIO trend alerts',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
    // Publishing to an encrypted topic needs the key too: SNS asks KMS for a data key on the
    // publisher's behalf (exact actions, where grantPublish would add kms:GenerateDataKey*).
    props.publisher.addToRolePolicy(
      new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
    );
    key.grant(props.publisher, 'kms:GenerateDataKey', 'kms:Decrypt');
    props.publisher.addEnvironment(ENV.trendTopicArn, this.topic.topicArn);
    props.publisher.addEnvironment(
      ENV.trendThresholds,
      JSON.stringify({ minPoints: props.minPoints ?? 1, minRatio: props.minRatio ?? 1.25 }),
    );
    if (props.explorerUrl) props.publisher.addEnvironment(ENV.explorerUrl, props.explorerUrl);
  }
}
