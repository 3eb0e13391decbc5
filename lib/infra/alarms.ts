import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { runMetric } from './run-metrics.js';

export interface PipelineAlarmsProps {
  readonly stateMachine: IStateMachine;
  /** Queues of starts that could not be delivered (upload trigger, schedules). */
  readonly deadLetterQueues: readonly IQueue[];
  /** The queue of execution status changes CloseRun could not take. @default none */
  readonly lifecycleDeadLetterQueue?: IQueue;
  /**
   * Who gets an email when an alarm fires (an SNS topic is created for it).
   * @default no notification; the alarms show in the CloudWatch console
   */
  readonly email?: string;
}

/**
 * Alarms on what an operator must look at: a run that failed or timed out (its record says
 * why), a run that finished without some of its items (batches that failed after their
 * retries, which the Map tolerated), and a start that never reached the state machine.
 */
export class PipelineAlarms extends Construct {
  readonly alarms: readonly Alarm[];
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: PipelineAlarmsProps) {
    super(scope, id);
    if (props.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email))
      throw new Error(`PipelineAlarms: email "${props.email}" is not an email address`);
    const window = { period: Duration.minutes(5), statistic: 'Sum' };
    const alarm = (name: string, description: string, metric: IMetric) =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarm(
        'RunsFailed',
        'An OpenCLIO run failed; its run record (DynamoDB, runs/<runId>/run.json) holds the reason.',
        props.stateMachine.metricFailed(window),
      ),
      alarm(
        'RunsTimedOut',
        'An OpenCLIO run hit the state machine timeout.',
        props.stateMachine.metricTimedOut(window),
      ),
      alarm(
        'RunsPartiallyFailed',
        'An OpenCLIO run finished, but some Summarize batches failed after their retries: their items are missing from the hierarchy. The run record lists them under failures ("batch … failed after its retries").',
        runMetric(this, 'runsPartiallyFailed', window),
      ),
      ...props.deadLetterQueues.map((queue, i) =>
        alarm(
          `UndeliveredStarts${i || ''}`,
          'A run start (upload or schedule) could not be delivered to the state machine; see the dead-letter queue.',
          queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(5),
            statistic: 'Maximum',
          }),
        ),
      ),
      ...(props.lifecycleDeadLetterQueue
        ? [
            alarm(
              'RunsNotClosed',
              'CloseRun could not take an execution status change: a run may still read "running" (or a claim be held) after its execution ended; see the dead-letter queue and close it by hand.',
              props.lifecycleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
                period: Duration.minutes(5),
                statistic: 'Maximum',
              }),
            ),
          ]
        : []),
    ];
    if (props.email) {
      // CloudWatch can publish to an encrypted topic only with a key whose policy lets it.
      const key = new Key(this, 'TopicKey', {
        enableKeyRotation: true,
        description: 'OpenCLIO alarm topic',
      });
      key.grant(
        new ServicePrincipal('cloudwatch.amazonaws.com'),
        'kms:Decrypt',
        'kms:GenerateDataKey*',
      );
      this.topic = new Topic(this, 'Topic', {
        displayName: 'OpenCLIO alarms',
        masterKey: key,
        enforceSSL: true,
      });
      this.topic.addSubscription(new EmailSubscription(props.email));
      const action: IAlarmAction = new SnsAction(this.topic);
      for (const a of this.alarms) a.addAlarmAction(action);
    }
  }
}
