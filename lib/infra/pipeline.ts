import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
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
  OutputType,
  Pass,
  ResultWriterV2,
  type RetryProps,
  S3JsonItemReader,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Transformation,
  WriterConfig,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  BATCH_PENDING_ERROR,
  FINAL_ERRORS,
  MAP_RESULTS_PREFIX,
  TRANSIENT_ERROR,
} from '../../lambdas/contract.js';
import { acknowledge, acknowledgeCdkManagedWildcards, wildcardResource } from './nag.js';
import { vendedLogGroupName } from './names.js';

/** The Summarize map's label: its child executions report metrics as `<state machine ARN>/<label>`. */
export const SUMMARIZE_MAP_LABEL = 'Summarize';

/** The step functions, as the state machine invokes them. */
export interface PipelineFunctions {
  readonly claimTrigger: IFunction;
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

/**
 * Throttling, provider rate limits and Lambda's own throttling (reserved concurrency shared by
 * overlapping runs): back off, with jitter.
 */
const transient = (
  intervalSeconds: number,
  maxAttempts: number,
  // LambdaInvoke retries Lambda's own service errors by default; these are ours and throttling.
  errors: readonly string[] = [TRANSIENT_ERROR, 'Lambda.TooManyRequestsException'],
): RetryProps => ({
  errors: [...errors],
  interval: Duration.seconds(intervalSeconds),
  backoffRate: 2,
  maxAttempts,
  maxDelay: Duration.minutes(5),
  jitterStrategy: JitterType.FULL,
});

/**
 * The run as a Standard state machine: [claim the trigger] → Prepare → Summarize (Distributed
 * Map over the batch list in S3) → ClusterLevel 0, 1, … (a loop) → Finalize. An error no
 * redrive can fix (the config, the data, the budget) → MarkFailed → failed execution; any other
 * error fails the execution where it happened, so a redrive resumes there. Only keys, counts
 * and the run id travel in the state.
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
    // Renders `ResultWriter` with its WriterConfig (V1 is deprecated).
    this.node.setContext('@aws-cdk/aws-stepfunctions:useDistributedMapResultWriterV2', true);

    const executionArn = JsonPath.stringAt('$$.Execution.Id');
    const markFailed = new LambdaInvoke(this, 'MarkFailed', {
      lambdaFunction: fns.markFailed,
      // The whole state: `$.prepare.runId` is absent when Prepare is what failed.
      payload: TaskInput.fromObject({ 'state.$': '$', executionArn }),
      resultSelector: { 'runId.$': '$.Payload.runId', 'reason.$': '$.Payload.reason' },
      resultPath: '$.failure',
    })
      .addRetry(transient(2, 4))
      .next(new Fail(this, 'RunFailed', { error: 'RunFailed', causePath: '$.failure.reason' }));
    // Only errors no redrive can fix end in MarkFailed; the rest fail the execution at the
    // state that raised them, where a redrive resumes it (the lifecycle rule closes the run).
    const onFinalError = { errors: [...FINAL_ERRORS], resultPath: '$.error' };

    const claim = new LambdaInvoke(this, 'ClaimTrigger', {
      lambdaFunction: fns.claimTrigger,
      payload: TaskInput.fromObject({
        'configKey.$': '$.configKey',
        'trigger.$': '$.trigger',
        executionArn,
      }),
      resultSelector: { 'claimed.$': '$.Payload.claimed' },
      resultPath: '$.claim',
    }).addRetry(transient(1, 6));
    const claimed = new Choice(this, 'Claimed').otherwise(
      new Succeed(this, 'AlreadyStarted', {
        comment: 'This upload or tick already started a run.',
      }),
    );

    const prepare = new LambdaInvoke(this, 'Prepare', {
      lambdaFunction: fns.prepare,
      payload: TaskInput.fromObject({ 'start.$': '$', executionArn }),
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
      .addCatch(markFailed, onFinalError);

    const summarizeBatch = new LambdaInvoke(this, 'SummarizeBatch', {
      lambdaFunction: fns.summarizeBatch,
      payload: TaskInput.fromObject({
        'runId.$': '$.runId',
        'batchKey.$': '$.batchKey',
      }),
      resultSelector: { 'summarized.$': '$.Payload.summarized', 'failed.$': '$.Payload.failed' },
    })
      // Throttled by the function's reserved concurrency, which overlapping runs share: wait
      // for a slot for up to ~3 hours rather than fail the batch.
      .addRetry({
        errors: ['Lambda.TooManyRequestsException'],
        interval: Duration.seconds(30),
        backoffRate: 2,
        maxAttempts: 40,
        maxDelay: Duration.minutes(5),
        jitterStrategy: JitterType.FULL,
      })
      .addRetry(transient(10, 8, [TRANSIENT_ERROR]))
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
      // Children's results go to S3, not into the state: thousands of small batches would
      // otherwise pass the 256 KiB state limit.
      resultWriterV2: new ResultWriterV2({
        bucket: props.artifacts,
        prefix: MAP_RESULTS_PREFIX,
        writerConfig: new WriterConfig({
          outputType: OutputType.JSONL,
          transformation: Transformation.COMPACT,
        }),
      }),
      resultPath: JsonPath.DISCARD,
      label: SUMMARIZE_MAP_LABEL,
    });
    // Standard children: a batch may take up to the Lambda's 15 minutes, past Express's 5.
    // Too many failed batches fail here, where a redrive re-runs only the failed ones.
    summarize.itemProcessor(summarizeBatch).addCatch(markFailed, onFinalError);

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
      .addCatch(markFailed, onFinalError);
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
      .addCatch(markFailed, onFinalError);

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
    claimed.when(Condition.booleanEquals('$.claim.claimed', true), run);
    const definition = new Choice(this, 'Triggered')
      .when(Condition.isPresent('$.trigger'), claim.next(claimed))
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
      "The Summarize map's item reader and result writer (CDK-generated, bucket-wide) read the run's batch list, whose key is only known at run time, and write each Map Run's results under map-results/; the bucket holds nothing but run artifacts.",
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
