import { Duration, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { DefinitionBody, Pass, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV, METRIC, TELEMETRY } from '../../lambdas/contract.js';
import { PipelineDashboard } from '../../lib/infra/dashboard.js';
import { definitionOf, synthApp } from './synth.js';

let main: Template;
let stackName: string;

beforeAll(() => {
  const synthesized = synthApp({ explorer: false, alarmEmail: 'ops@example.com' });
  main = synthesized.main;
  stackName = synthesized.stacks.main.stackName;
});

type Resources = Record<string, { Properties: Record<string, unknown> }>;

/** The step functions (the stack's own; CDK's helper functions describe themselves otherwise). */
const stepFunctions = () =>
  Object.entries(main.findResources('AWS::Lambda::Function') as Resources).filter(([, fn]) =>
    String(fn.Properties.Description ?? '').startsWith('OpenCLIO '),
  );

interface DashboardMetric {
  readonly namespace: string;
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly options: { label?: string; stat?: string; period?: number };
}
interface Widget {
  readonly type: string;
  readonly properties: { title: string; metrics?: unknown[][]; alarms?: string[] };
}

/** A CloudFormation token as text: `<LogicalId>` for a Ref, `<LogicalId.Attr>` for a GetAtt. */
function tokenText(part: unknown): string {
  if (typeof part === 'string') return part;
  const token = part as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (token.Ref) return `<${token.Ref}>`;
  if (token['Fn::GetAtt']) return `<${token['Fn::GetAtt'].join('.')}>`;
  throw new Error(`unexpected token ${JSON.stringify(part)}`);
}

function dashboardWidgets(): Widget[] {
  const [dashboard, ...more] = Object.values(
    main.findResources('AWS::CloudWatch::Dashboard') as Resources,
  );
  expect(more).toEqual([]);
  const body = dashboard?.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] };
  return JSON.parse(body['Fn::Join'][1].map(tokenText).join('')).widgets;
}

/** `[namespace, name, dim, value, …, {options}]`, the dashboard's metric notation, parsed. */
function parseMetric(entry: unknown[]): DashboardMetric {
  const last = entry.at(-1);
  const options = typeof last === 'object' ? (last as DashboardMetric['options']) : {};
  const [namespace, name, ...pairs] = entry.filter((e) => typeof e === 'string') as string[];
  const dimensions: Record<string, string> = {};
  for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
  return { namespace: namespace as string, name: name as string, dimensions, options };
}

const metricsOf = (title: string): DashboardMetric[] => {
  const widget = dashboardWidgets().find((w) => w.properties.title === title);
  if (!widget) throw new Error(`no widget "${title}"`);
  return (widget.properties.metrics ?? []).map(parseMetric);
};

const allMetrics = () =>
  dashboardWidgets().flatMap((w) => (w.properties.metrics ?? []).map(parseMetric));

describe('tracing', () => {
  it('is active on every step function, which knows its deployment for its metrics', () => {
    const fns = stepFunctions();
    expect(fns).toHaveLength(7);
    for (const [id, fn] of fns) {
      expect(fn.Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(fn.Properties.Environment, id).toMatchObject({
        Variables: { POWERTOOLS_SERVICE_NAME: TELEMETRY.service, [ENV.deployment]: stackName },
      });
    }
  });
});

describe('the pipeline dashboard', () => {
  it('shows the executions of the state machine', () => {
    const metrics = metricsOf('Runs: executions of the state machine');
    expect(metrics.map((m) => m.name)).toEqual([
      'ExecutionsStarted',
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]);
    for (const m of metrics) {
      expect(m.namespace).toBe('AWS/States');
      expect(m.dimensions.StateMachineArn).toMatch(/^<PipelineStateMachine[0-9A-F]+>$/);
      expect(m.options.stat).toBe('Sum');
    }
  });

  it("shows the Summarize batches under the Map's label, as their child executions report", () => {
    const label = definitionOf(main).States.Summarize?.Label;
    expect(label).toBe('Summarize');
    const metrics = metricsOf('Summarize batches (Map child executions)');
    expect(metrics.map((m) => m.name)).toEqual([
      'ExecutionsSucceeded',
      'ExecutionsFailed',
      'ExecutionsTimedOut',
      'ExecutionsAborted',
    ]);
    for (const m of metrics)
      expect(m.dimensions.StateMachineArn).toMatch(
        new RegExp(`^<PipelineStateMachine[0-9A-F]+>/${label}$`),
      );
  });

  it("shows every metric the steps emit, under the deployment's dimensions", () => {
    const own = allMetrics().filter((m) => m.namespace === TELEMETRY.namespace);
    expect(new Set(own.map((m) => m.name))).toEqual(
      new Set(Object.values(METRIC).map((m) => m.name)),
    );
    for (const m of own)
      expect(m.dimensions, m.name).toEqual({ service: TELEMETRY.service, deployment: stackName });
    expect(metricsOf('Runs: how they ended').map((m) => m.name)).toEqual([
      'RunsFinished',
      'RunsPartiallyFailed',
      'RunsFailed',
    ]);
    expect(metricsOf('Items (Summarize batches)').map((m) => m.name)).toEqual([
      'ItemsSummarized',
      'SummariesReused',
      'ItemsFailed',
    ]);
  });

  it('sums tokens and cost per day', () => {
    const perDay = [
      ...metricsOf('LLM tokens per day (finished runs)'),
      ...metricsOf('LLM cost per day, USD (finished runs)'),
    ];
    expect(perDay.map((m) => m.name)).toEqual(['InputTokens', 'OutputTokens', 'CostUsd']);
    for (const m of perDay) expect(m.options).toMatchObject({ stat: 'Sum', period: 86_400 });
  });

  it('shows errors, throttles and duration of each step function', () => {
    const fnIds = stepFunctions().map(([id]) => `<${id}>`);
    for (const [title, name] of [
      ['Step function errors', 'Errors'],
      ['Step function throttles', 'Throttles'],
      ['Step function duration (p90)', 'Duration'],
    ] as const) {
      const metrics = metricsOf(title);
      expect(metrics.every((m) => m.namespace === 'AWS/Lambda' && m.name === name)).toBe(true);
      expect(metrics.map((m) => m.dimensions.FunctionName).sort()).toEqual([...fnIds].sort());
    }
    expect(metricsOf('Step function errors').map((m) => m.options.label)).toEqual([
      'claimTrigger',
      'prepare',
      'summarizeBatch',
      'clusterLevel',
      'finalize',
      'markFailed',
      'closeRun',
    ]);
  });

  it('shows the state of every alarm at the top', () => {
    const [first] = dashboardWidgets();
    const alarmIds = Object.keys(main.findResources('AWS::CloudWatch::Alarm'));
    expect(first?.type).toBe('alarm');
    expect([...(first?.properties.alarms ?? [])].sort()).toEqual(
      alarmIds.map((id) => `<${id}.Arn>`).sort(),
    );
  });

  it('is named in the outputs', () => {
    main.hasOutput('DashboardName', { Value: { Ref: Match.stringLikeRegexp('Dashboard') } });
  });

  it('rejects a period CloudWatch cannot graph, and no functions', () => {
    const stack = new Stack();
    const stateMachine = new StateMachine(stack, 'Machine', {
      definitionBody: DefinitionBody.fromChainable(new Pass(stack, 'P')),
    });
    const fn = new LambdaFunction(stack, 'Fn', {
      code: Code.fromInline('exports.handler = async () => {}'),
      handler: 'index.handler',
      runtime: Runtime.NODEJS_22_X,
    });
    expect(
      () =>
        new PipelineDashboard(stack, 'Short', {
          stateMachine,
          functions: { fn },
          period: Duration.seconds(30),
        }),
    ).toThrow('PipelineDashboard: period must be a whole number of minutes, got 30 seconds');
    expect(() => new PipelineDashboard(stack, 'None', { stateMachine, functions: {} })).toThrow(
      'PipelineDashboard: functions is empty',
    );
  });
});

describe('the partial-failure alarm', () => {
  it('fires when a finished run lost batches, and emails the operator', () => {
    main.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: TELEMETRY.namespace,
      MetricName: METRIC.runsPartiallyFailed.name,
      Dimensions: Match.arrayWith([
        { Name: 'deployment', Value: stackName },
        { Name: 'service', Value: TELEMETRY.service },
      ]),
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
  });
});
