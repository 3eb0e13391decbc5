import { Duration } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface RunLifecycleProps {
  readonly stateMachine: IStateMachine;
  /** The CloseRun function (lambdas/close-run.ts). */
  readonly closeRun: IFunction;
  /** Where status changes the function could not take go (an alarm watches it). */
  readonly deadLetterQueue: IQueue;
}

const STATUS_CHANGE = 'Step Functions Execution Status Change';

/**
 * Keeps run records and trigger claims true to their executions, whatever ends them: a timeout,
 * StopExecution, or an error left uncaught for a redrive closes the run as failed and releases
 * its claim (re-uploading the same config then starts a run instead of ending in
 * AlreadyStarted); a redrive reopens the run. MarkFailed still records the errors no redrive
 * can fix, with their own reason, which CloseRun leaves as it is.
 */
export class RunLifecycle extends Construct {
  readonly ended: Rule;
  readonly redriven: Rule;
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: RunLifecycleProps) {
    super(scope, id);
    this.deadLetterQueue = props.deadLetterQueue;
    const target = () =>
      new LambdaFunction(props.closeRun, {
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 8,
        maxEventAge: Duration.hours(6),
      });
    const machine = [props.stateMachine.stateMachineArn];
    this.ended = new Rule(this, 'Ended', {
      description: 'Close the run of an OpenCLIO execution that failed, timed out or was aborted',
      eventPattern: {
        source: ['aws.states'],
        detailType: [STATUS_CHANGE],
        detail: { stateMachineArn: machine, status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
    });
    this.ended.addTarget(target());
    this.redriven = new Rule(this, 'Redriven', {
      description: 'Reopen the run of a redriven OpenCLIO execution',
      eventPattern: {
        source: ['aws.states'],
        detailType: [STATUS_CHANGE],
        detail: {
          stateMachineArn: machine,
          status: ['RUNNING'],
          redriveCount: [{ numeric: ['>', 0] }],
        },
      },
    });
    this.redriven.addTarget(target());
  }
}
