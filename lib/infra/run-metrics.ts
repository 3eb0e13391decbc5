import { Duration, Stack } from 'aws-cdk-lib';
import { Metric, type MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import { METRIC, type MetricKey, TELEMETRY } from '../../lambdas/contract.js';

/**
 * One of the pipeline's own metrics (`METRIC`), as the step functions of `scope`'s stack emit
 * it: the dimensions are the service and the stack's name, which functions.ts gives them.
 */
export function runMetric(scope: IConstruct, key: MetricKey, options: MetricOptions = {}): Metric {
  return new Metric({
    namespace: TELEMETRY.namespace,
    metricName: METRIC[key].name,
    dimensionsMap: {
      [TELEMETRY.dimensions.service]: TELEMETRY.service,
      [TELEMETRY.dimensions.deployment]: Stack.of(scope).stackName,
    },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
  });
}

/** The outcomes of a state machine's executions (or of a Distributed Map's children). */
export type ExecutionOutcome = 'Started' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Aborted';

/**
 * The child executions of a Distributed Map report under `<state machine ARN>/<map label>`
 * instead of the state machine's ARN, so their outcomes are separate metrics.
 */
export function mapChildExecutions(
  stateMachine: IStateMachine,
  mapLabel: string,
  outcome: ExecutionOutcome,
  options: MetricOptions = {},
): Metric {
  return new Metric({
    namespace: 'AWS/States',
    metricName: `Executions${outcome}`,
    dimensionsMap: { StateMachineArn: `${stateMachine.stateMachineArn}/${mapLabel}` },
    statistic: 'Sum',
    period: Duration.minutes(5),
    ...options,
  });
}
