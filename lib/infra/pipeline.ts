import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import {
  Choice,
  Condition,
  DefinitionBody,
  DistributedMap,
  Errors,
  Fail,
  JitterType,
  JsonPath,
  LogLevel,
  Pass,
  type RetryProps,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
} from 'aws-cdk-lib/aws-stepfunctions';
import {
  DynamoAttributeValue,
  DynamoPutItem,
  LambdaInvoke,
} from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { BATCH_PENDING_ERROR, TRANSIENT_ERROR } from '../../lambdas/contract.js';
import { KEY_PREFIX, TABLE_SCHEMA } from '../store/dynamo-hierarchy.js';
import { acknowledge, acknowledgeCdkManagedWildcards, wildcardResource } from './nag.js';
import { vendedLogGroupName } from './names.js';

/** The step functions, as the state machine invokes them. */
export interface PipelineFunctions {
  readonly prepare: IFunction;
  readonly summarizeBatch: IFunction;
  readonly clusterLevel: IFunction;
  readonly finalize: IFunction;
  readonly markFailed: IFunction;
}

export interface ClioPipelineProps {
  readonly functions: PipelineFunctions;
  /** Holds each run's batch list, which the Summarize map reads. */
  readonly artifacts: IBucket;
  /** Holds the trigger claims that keep one upload or tick from starting two runs. */
  readonly table: ITable;
  /**
   * Summarize batches in flight at once (Map children, hence Lambdas and LLM calls).
   * @default 10
   */
  readonly summarizeConcurrency?: number;
  /**
   * Percentage of Summarize batches that may fail (after retries) without failing the run;
   * their items are then left out of the clusters.
   * @default 5
   */
  readonly toleratedFailurePercentage?: number;
  /**
   * Longest a run may take.
   * @default Duration.hours(24)
   */
  readonly timeout?: Duration;
  /**
   * Retention of the execution logs.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Keep the execution log group when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
}

/** Throttling, provider rate limits and Lambda's own throttling: back off, with jitter. */
const transient = (intervalSeconds: number, maxAttempts: number): RetryProps => ({
  errors: [TRANSIENT_ERROR, 'Lambda.TooManyRequestsException'],
  interval: Duration.seconds(intervalSeconds),
  backoffRate: 2,
  maxAttempts,
  maxDelay: Duration.minutes(5),
  jitterStrategy: JitterType.FULL,
});

/**
 * The run as a Standard state machine: [claim the trigger] → Prepare → Summarize (Distributed
 * Map over the batch list in S3) → ClusterLevel 0, 1, … (a loop) → Finalize; any error →
 * MarkFailed → failed execution. Only keys, counts and the run id travel in the state.
 */
export class ClioPipeline extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: ClioPipelineProps) {
    super(scope, id);
    const concurrency = props.summarizeConcurrency ?? 10;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 10_000)
      throw new Error(
        `ClioPipeline: summarizeConcurrency must be an integer from 1 to 10000, got ${concurrency}`,
      );
    const tolerated = props.toleratedFailurePercentage ?? 5;
    if (!(tolerated >= 0 && tolerated <= 100))
      throw new Error(
        `ClioPipeline: toleratedFailurePercentage must be from 0 to 100, got ${tolerated}`,
      );
    const { functions: fns } = props;

    const markFailed = new LambdaInvoke(this, 'MarkFailed', {
      lambdaFunction: fns.markFailed,
      // The whole state: `$.prepare.runId` is absent when Prepare is what failed.
      payload: TaskInput.fromJsonPathAt('$'),
      resultSelector: { 'runId.$': '$.Payload.runId', 'reason.$': '$.Payload.reason' },
      resultPath: '$.failure',
    })
      .addRetry(transient(2, 4))
      .next(new Fail(this, 'RunFailed', { error: 'RunFailed', causePath: '$.failure.reason' }));
    const onError = { errors: [Errors.ALL], resultPath: '$.error' };

    const claim = new DynamoPutItem(this, 'ClaimTrigger', {
      table: props.table,
      item: {
        [TABLE_SCHEMA.partitionKey]: DynamoAttributeValue.fromString(
          JsonPath.format(`${KEY_PREFIX.trigger}{}`, JsonPath.stringAt('$.configKey')),
        ),
        [TABLE_SCHEMA.sortKey]: DynamoAttributeValue.fromString(JsonPath.stringAt('$.trigger')),
        executionArn: DynamoAttributeValue.fromString(JsonPath.stringAt('$$.Execution.Id')),
        claimedAt: DynamoAttributeValue.fromString(JsonPath.stringAt('$$.Execution.StartTime')),
      },
      conditionExpression: 'attribute_not_exists(#pk)',
      expressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey },
      resultPath: JsonPath.DISCARD,
    });
    claim.addCatch(
      new Succeed(this, 'AlreadyStarted', {
        comment: 'This upload or tick already started a run.',
      }),
      {
        errors: ['DynamoDB.ConditionalCheckFailedException'],
        resultPath: JsonPath.DISCARD,
      },
    );
    claim.addCatch(markFailed, onError);

    const prepare = new LambdaInvoke(this, 'Prepare', {
      lambdaFunction: fns.prepare,
      payload: TaskInput.fromJsonPathAt('$'),
      resultSelector: {
        'runId.$': '$.Payload.runId',
        'itemCount.$': '$.Payload.itemCount',
        'batchKeysKey.$': '$.Payload.batchKeysKey',
        'batchCount.$': '$.Payload.batchCount',
        'levelCount.$': '$.Payload.levelCount',
      },
      resultPath: '$.prepare',
    })
      .addRetry(transient(5, 4))
      .addCatch(markFailed, onError);

    const summarizeBatch = new LambdaInvoke(this, 'SummarizeBatch', {
      lambdaFunction: fns.summarizeBatch,
      payload: TaskInput.fromObject({
        'runId.$': '$.runId',
        'batchKey.$': '$.batchKey',
      }),
      resultSelector: { 'summarized.$': '$.Payload.summarized', 'failed.$': '$.Payload.failed' },
    })
      .addRetry(transient(10, 8))
      // A batch that ran out of time resumes from its cache on the next attempt.
      .addRetry({ errors: ['Sandbox.Timedout', Errors.TIMEOUT], maxAttempts: 1 })
      // `llm.batch`: the step submitted Message Batches and saved their ids; it is invoked again
      // every minute for up to 24 hours (the API's limit) to poll them, no Lambda waiting.
      .addRetry({
        errors: [BATCH_PENDING_ERROR],
        interval: Duration.minutes(1),
        maxAttempts: 24 * 60,
        backoffRate: 1,
      });
    const summarize = new DistributedMap(this, 'Summarize', {
      itemReader: new S3JsonItemReader({
        bucket: props.artifacts,
        key: JsonPath.stringAt('$.prepare.batchKeysKey'),
      }),
      maxConcurrency: concurrency,
      toleratedFailurePercentage: tolerated,
      resultPath: JsonPath.DISCARD,
      label: 'Summarize',
    });
    // Standard children: a batch may take up to the Lambda's 15 minutes, past Express's 5.
    summarize.itemProcessor(summarizeBatch).addCatch(markFailed, onError);

    const firstLevel = new Pass(this, 'FirstLevel', {
      parameters: { 'runId.$': '$.prepare.runId', level: 0 },
      resultPath: '$.next',
    });
    const clusterLevel = new LambdaInvoke(this, 'ClusterLevel', {
      lambdaFunction: fns.clusterLevel,
      payload: TaskInput.fromObject({ 'runId.$': '$.next.runId', 'level.$': '$.next.level' }),
      resultSelector: {
        'runId.$': '$.Payload.runId',
        'level.$': '$.Payload.level',
        'clusters.$': '$.Payload.clusters',
        'done.$': '$.Payload.done',
      },
      resultPath: '$.level',
    })
      .addRetry(transient(5, 6))
      .addCatch(markFailed, onError);
    const nextLevel = new Pass(this, 'NextLevel', {
      parameters: { 'runId.$': '$.level.runId', 'level.$': 'States.MathAdd($.level.level, 1)' },
      resultPath: '$.next',
    });
    const finalize = new LambdaInvoke(this, 'Finalize', {
      lambdaFunction: fns.finalize,
      payload: TaskInput.fromObject({ 'runId.$': '$.prepare.runId' }),
      resultSelector: {
        'runId.$': '$.Payload.runId',
        'items.$': '$.Payload.items',
        'costUsd.$': '$.Payload.costUsd',
      },
      resultPath: '$.result',
    })
      .addRetry(transient(5, 4))
      .addCatch(markFailed, onError);

    const run = prepare
      .next(summarize)
      .next(firstLevel)
      .next(clusterLevel)
      .next(
        new Choice(this, 'AllLevelsDone')
          .when(
            Condition.booleanEquals('$.level.done', true),
            finalize.next(new Succeed(this, 'Done')),
          )
          .otherwise(nextLevel.next(clusterLevel)),
      );
    const definition = new Choice(this, 'Triggered')
      .when(Condition.isPresent('$.trigger'), claim.next(prepare))
      .otherwise(run);

    const logs = new LogGroup(this, 'ExecutionLogs', {
      logGroupName: vendedLogGroupName(this, 'states'),
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      definitionBody: DefinitionBody.fromChainable(definition),
      stateMachineType: StateMachineType.STANDARD,
      timeout: props.timeout ?? Duration.hours(24),
      tracingEnabled: true,
      // Execution data is only keys, counts, ids and error messages: no items or summaries.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: true },
    });
    this.#acknowledgeRoleWildcards(props);
  }

  #acknowledgeRoleWildcards(props: ClioPipelineProps): void {
    const role = this.stateMachine.role;
    for (const fn of Object.values(props.functions) as IFunction[])
      acknowledge(
        role,
        wildcardResource(role, `${fn.functionArn}:*`),
        "CDK's Lambda invoke grant includes the function's versions and aliases (<arn>:*); the function is one of this run's steps.",
      );
    acknowledge(
      role,
      wildcardResource(role, `arn:${Aws.PARTITION}:s3:::${props.artifacts.bucketName}/*`),
      "The Summarize map's item reader (CDK-generated) reads the run's batch list, whose key is only known at run time; the bucket holds nothing but run artifacts.",
    );
    acknowledgeCdkManagedWildcards(
      this.stateMachine.node.findChild('DistributedMapPolicy'),
      'CDK-generated policy letting the Distributed Map start, describe and stop its own child executions (execution ids are created at run time).',
    );
    acknowledge(
      role,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, …) and X-Ray (xray:PutTraceSegments, …) support no resource-level permissions.',
    );
  }
}
