import { Duration } from 'aws-cdk-lib';
import {
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  type IAlarm,
  type IMetric,
  type IWidget,
  type MetricOptions,
  SingleValueWidget,
  Stats,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { MetricKey } from '../../lambdas/contract.js';
import { SUMMARIZE_MAP_LABEL } from './pipeline.js';
import { type ExecutionOutcome, mapChildExecutions, runMetric } from './run-metrics.js';

export interface PipelineDashboardProps {
  readonly stateMachine: IStateMachine;
  /** The step functions, under the names their graph lines show. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /**
   * The label of the Summarize Distributed Map, under which its batches report.
   * @default SUMMARIZE_MAP_LABEL
   */
  readonly summarizeMapLabel?: string;
  /**
   * Alarms shown at the top, with their state.
   * @default none
   */
  readonly alarms?: readonly IAlarm[];
  /**
   * Period of the operational graphs (tokens and cost are always per day).
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

const DAY = Duration.days(1);
const HALF = 12;
const THIRD = 8;

/**
 * One CloudWatch dashboard for the pipeline, top to bottom: alarm states; runs (executions and
 * how they ended); Summarize batches and what finished runs lost; items; tokens and cost per
 * day; the step functions' errors, throttles and duration.
 */
export class PipelineDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: PipelineDashboardProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    if (period.toSeconds() < 60 || period.toSeconds() % 60 !== 0)
      throw new Error(
        `PipelineDashboard: period must be a whole number of minutes, got ${period.toHumanString()}`,
      );
    const fnNames = Object.keys(props.functions);
    if (fnNames.length === 0) throw new Error('PipelineDashboard: functions is empty');

    const sum = { period, statistic: Stats.SUM };
    const run = (key: MetricKey, label: string, options: MetricOptions = sum) =>
      runMetric(this, key, { ...options, label });
    const graph = (title: string, left: IMetric[], width = HALF) =>
      new GraphWidget({ title, left, width, height: 6 });
    const { stateMachine: sm } = props;
    const mapLabel = props.summarizeMapLabel ?? SUMMARIZE_MAP_LABEL;
    const batches = (outcome: ExecutionOutcome, label: string) =>
      mapChildExecutions(sm, mapLabel, outcome, { ...sum, label });
    // One line per step function, labelled with its name.
    const perStep = (metric: (fn: IFunction, label: string) => IMetric) =>
      fnNames.map((name) => metric(props.functions[name] as IFunction, name));

    const rows: IWidget[][] = [
      [
        graph('Runs: executions of the state machine', [
          sm.metricStarted({ ...sum, label: 'Started' }),
          sm.metricSucceeded({ ...sum, label: 'Succeeded' }),
          sm.metricFailed({ ...sum, label: 'Failed' }),
          sm.metricTimedOut({ ...sum, label: 'Timed out' }),
          sm.metricAborted({ ...sum, label: 'Aborted' }),
        ]),
        graph('Runs: how they ended', [
          run('runsFinished', 'Finished'),
          run('runsPartiallyFailed', 'Finished with failed batches'),
          run('runsFailed', 'Failed or stopped (MarkFailed)'),
        ]),
      ],
      [
        graph('Summarize batches (Map child executions)', [
          batches('Succeeded', 'Succeeded'),
          batches('Failed', 'Failed after retries'),
          batches('TimedOut', 'Timed out'),
          batches('Aborted', 'Aborted'),
        ]),
        graph('Lost by finished runs', [
          run('runFailedBatches', 'Failed batches'),
          run('runFailedItems', 'Items left out'),
        ]),
      ],
      [
        graph('Items (Summarize batches)', [
          run('itemsSummarized', 'Summarized'),
          run('summariesReused', 'Reused from the cache'),
          run('itemsFailed', 'Failed'),
        ]),
        graph('Items per finished run', [
          run('runItems', 'In the hierarchy', { period, statistic: Stats.AVERAGE }),
        ]),
      ],
      [
        graph(
          'LLM tokens per day (finished runs)',
          [
            run('inputTokens', 'Input', { period: DAY, statistic: Stats.SUM }),
            run('outputTokens', 'Output', { period: DAY, statistic: Stats.SUM }),
          ],
          THIRD,
        ),
        graph(
          'LLM cost per day, USD (finished runs)',
          [run('costUsd', 'Cost', { period: DAY, statistic: Stats.SUM })],
          THIRD,
        ),
        new SingleValueWidget({
          title: 'LLM cost over the time range, USD (finished runs)',
          metrics: [run('costUsd', 'Cost', { period: DAY, statistic: Stats.SUM })],
          setPeriodToTimeRange: true,
          fullPrecision: true,
          width: THIRD,
          height: 6,
        }),
      ],
      [
        graph(
          'Step function errors',
          perStep((fn, label) => fn.metricErrors({ ...sum, label })),
          THIRD,
        ),
        graph(
          'Step function throttles',
          perStep((fn, label) => fn.metricThrottles({ ...sum, label })),
          THIRD,
        ),
        graph(
          'Step function duration (p90)',
          perStep((fn, label) => fn.metricDuration({ period, statistic: Stats.p(90), label })),
          THIRD,
        ),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        ...(props.alarms?.length
          ? [[new AlarmStatusWidget({ title: 'Alarms', alarms: [...props.alarms], width: 24 })]]
          : []),
        ...rows,
      ],
    });
  }
}
