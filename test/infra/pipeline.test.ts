import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BATCH_PENDING_ERROR, FINAL_ERRORS, MAP_RESULTS_PREFIX } from '../../lambdas/contract.js';
import { ConfigError } from '../../lib/config/errors.js';
import { BudgetExceededError } from '../../lib/llm/ledger.js';
import { BatchPendingError } from '../../lib/pipeline/summarize-batch.js';
import { TTL_ATTRIBUTE } from '../../lib/store/dynamo-claims.js';
import { ClioError } from '../../lib/util/errors.js';
import { definitionOf, synthApp } from './synth.js';

let main: Template;
let states: Record<string, Record<string, unknown>>;
let startAt: string;

beforeAll(() => {
  ({ main } = synthApp({
    explorer: { public: true },
    summarizeConcurrency: 25,
    toleratedFailurePercentage: 10,
    alarmEmail: 'ops@example.com',
    schedules: [
      { name: 'support-daily', configKey: 'scheduled/support.json', expression: 'rate(1 day)' },
      {
        name: 'weekly',
        configKey: 'scheduled/weekly.json',
        expression: 'cron(0 6 ? * MON *)',
        windowHours: 168,
        timeZone: 'Europe/Paris',
      },
    ],
  }));
  ({ States: states, StartAt: startAt } = definitionOf(main));
});

const catchesTo = (state: Record<string, unknown> | undefined) =>
  ((state?.Catch ?? []) as { ErrorEquals: string[]; Next: string }[]).map((c) => ({
    errors: c.ErrorEquals,
    next: c.Next,
  }));

describe('the state machine', () => {
  it('claims a trigger once, then runs Prepare; a repeat start succeeds without a run', () => {
    expect(startAt).toBe('Triggered');
    expect(states.Triggered).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.trigger', IsPresent: true, Next: 'ClaimTrigger' }],
      Default: 'Prepare',
    });
    expect(states.ClaimTrigger).toMatchObject({
      Resource: expect.stringContaining(':states:::lambda:invoke'),
      Parameters: {
        Payload: {
          'configKey.$': '$.configKey',
          'trigger.$': '$.trigger',
          'executionArn.$': '$$.Execution.Id',
        },
      },
      ResultPath: '$.claim',
      Next: 'Claimed',
    });
    // Claiming is idempotent for its own execution, so retrying a timed-out claim is safe.
    expect(states.ClaimTrigger?.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['TransientError']) }),
        expect.objectContaining({
          ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']),
        }),
      ]),
    );
    expect(catchesTo(states.ClaimTrigger)).toEqual([]);
    expect(states.Claimed).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.claim.claimed', BooleanEquals: true, Next: 'Prepare' }],
      Default: 'AlreadyStarted',
    });
    expect(states.AlreadyStarted?.Type).toBe('Succeed');
    expect(states.Prepare).toMatchObject({
      Parameters: { Payload: { 'start.$': '$', 'executionArn.$': '$$.Execution.Id' } },
    });
  });

  it('summarizes with a Distributed Map over the batch list in S3, bounded and tolerant', () => {
    expect(states.Prepare?.Next).toBe('Summarize');
    const map = states.Summarize as { ItemProcessor: { States: Record<string, unknown> } };
    expect(map).toMatchObject({
      Type: 'Map',
      MaxConcurrency: 25,
      ToleratedFailurePercentage: 10,
      ResultPath: null,
      ItemReader: {
        Resource: expect.stringContaining(':states:::s3:getObject'),
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': '$.prepare.batchKeysKey' },
      },
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
      // Children's results go to S3, so no number of batches reaches the 256 KiB state limit.
      ResultWriter: {
        Resource: expect.stringContaining(':states:::s3:putObject'),
        Parameters: { Prefix: MAP_RESULTS_PREFIX },
        WriterConfig: { OutputType: 'JSONL', Transformation: 'COMPACT' },
      },
      Next: 'FirstLevel',
    });
    const child = map.ItemProcessor.States.SummarizeBatch as {
      Parameters: { Payload: unknown };
      Retry: unknown[];
    };
    expect(child.Parameters.Payload).toEqual({ 'runId.$': '$.runId', 'batchKey.$': '$.batchKey' });
    expect(child.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ErrorEquals: ['TransientError'],
          BackoffRate: 2,
          JitterStrategy: 'FULL',
          MaxDelaySeconds: 300,
        }),
        expect.objectContaining({ ErrorEquals: ['Sandbox.Timedout', 'States.Timeout'] }),
        // Message Batches: the step is invoked again every minute for 24 hours to poll them.
        expect.objectContaining({
          ErrorEquals: [BATCH_PENDING_ERROR],
          IntervalSeconds: 60,
          MaxAttempts: 1440,
          BackoffRate: 1,
        }),
      ]),
    );
    // Throttled by the reserved concurrency overlapping runs share: a long wait, and no other
    // retrier names the error.
    const retriers = child.Retry as { ErrorEquals: string[] }[];
    const throttling = (r: { ErrorEquals: string[] }) =>
      r.ErrorEquals.includes('Lambda.TooManyRequestsException');
    expect(retriers.filter(throttling)).toHaveLength(1);
    const throttled = retriers.findIndex(throttling);
    expect(retriers[throttled]).toMatchObject({
      ErrorEquals: ['Lambda.TooManyRequestsException'],
      MaxAttempts: 40,
      MaxDelaySeconds: 300,
    });
    // Two runs at full speed (2 × summarizeConcurrency); a third waits for slots.
    main.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^OpenCLIO Summarize'),
      ReservedConcurrentExecutions: 50,
    });
    expect(
      Object.values(main.findResources('AWS::Lambda::Function')).filter(
        (f) => f.Properties.ReservedConcurrentExecutions !== undefined,
      ),
    ).toHaveLength(1);
    // The name the step throws is the name the definition retries.
    expect(new BatchPendingError('x').name).toBe(BATCH_PENDING_ERROR);
    expect(catchesTo(map)).toEqual([{ errors: [...FINAL_ERRORS], next: 'MarkFailed' }]);
  });

  it('clusters level 0, then one level at a time until the top, then finalizes', () => {
    expect(states.FirstLevel).toMatchObject({
      Type: 'Pass',
      Parameters: { 'runId.$': '$.prepare.runId', level: 0 },
      Next: 'ClusterLevel',
    });
    expect(states.ClusterLevel).toMatchObject({
      Parameters: { Payload: { 'runId.$': '$.next.runId', 'level.$': '$.next.level' } },
      ResultPath: '$.level',
      Next: 'AllLevelsDone',
    });
    expect(states.AllLevelsDone).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.level.done', BooleanEquals: true, Next: 'Finalize' }],
      Default: 'NextLevel',
    });
    expect(states.NextLevel).toMatchObject({
      Parameters: { 'level.$': 'States.MathAdd($.level.level, 1)' },
      Next: 'ClusterLevel',
    });
    expect(states.Finalize).toMatchObject({
      Parameters: { Payload: { 'runId.$': '$.prepare.runId' } },
      Next: 'Done',
    });
  });

  it('sends only errors no redrive can fix to MarkFailed; the rest fail where a redrive resumes', () => {
    expect(FINAL_ERRORS).toEqual(
      expect.arrayContaining(['ConfigError', 'ClioError', 'BudgetExceededError']),
    );
    expect(FINAL_ERRORS).not.toContain('States.ALL');
    for (const name of ['Prepare', 'Summarize', 'ClusterLevel', 'Finalize'])
      expect(catchesTo(states[name]), name).toEqual([
        { errors: [...FINAL_ERRORS], next: 'MarkFailed' },
      ]);
    // The names the code throws are the names the definition catches.
    expect(new ClioError('x').name).toBe('ClioError');
    expect(new BudgetExceededError('x').name).toBe('BudgetExceededError');
    expect(new ConfigError('x', []).name).toBe('ConfigError');
    expect(states.MarkFailed).toMatchObject({
      Parameters: { Payload: { 'state.$': '$', 'executionArn.$': '$$.Execution.Id' } },
      ResultPath: '$.failure',
      Next: 'RunFailed',
    });
    expect(states.RunFailed).toMatchObject({ Type: 'Fail', CausePath: '$.failure.reason' });
  });

  it('closes runs whose execution ended outside MarkFailed, and reopens redriven ones', () => {
    const closeRun = { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StepsCloseRun'), 'Arn'] } };
    main.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('^PipelineStateMachine') }],
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
        },
      },
      Targets: [Match.objectLike({ ...closeRun, DeadLetterConfig: Match.anyValue() })],
    });
    main.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ status: ['RUNNING'], redriveCount: [{ numeric: ['>', 0] }] }),
      }),
      Targets: [Match.objectLike(closeRun)],
    });
    // Claims and execution pointers expire.
    main.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
    });
  });

  it('passes only keys, counts and ids between states', () => {
    expect(states.Prepare?.ResultSelector).toEqual({
      'runId.$': '$.Payload.runId',
      'itemCount.$': '$.Payload.itemCount',
      'batchKeysKey.$': '$.Payload.batchKeysKey',
      'batchCount.$': '$.Payload.batchCount',
      'levelCount.$': '$.Payload.levelCount',
    });
  });

  it('is a Standard workflow with full logs, tracing and a timeout', () => {
    main.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
    expect(definitionOf(main)).toMatchObject({ TimeoutSeconds: 86_400 });
  });
});

describe('schedules', () => {
  it('start runs that carry the scheduled time and the schedule, from which Prepare reads the window', () => {
    main.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 day)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('PipelineStateMachine') },
        Input: JSON.stringify({
          configKey: 'scheduled/support.json',
          scheduledTime: '<aws.scheduler.scheduled-time>',
          schedule: { expression: 'rate(1 day)' },
          trigger: 'schedule#<aws.scheduler.scheduled-time>',
        }),
        DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21_600 },
      }),
    });
  });

  it('take cron expressions with a time zone and an explicit window', () => {
    main.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 6 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Target: Match.objectLike({
        Input: Match.stringLikeRegexp(
          '"schedule":\\{"expression":"cron\\(0 6 \\? \\* MON \\*\\)","timeZone":"Europe/Paris","windowHours":168\\}',
        ),
      }),
    });
  });
});

describe('alarms', () => {
  it('fire on a failed or timed-out run and on undelivered starts, and email the operator', () => {
    main.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmsTopic') }],
    });
    main.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsTimedOut' });
    // The upload trigger's, the schedules' and the lifecycle rule's dead-letter queues.
    expect(
      main.findResources('AWS::CloudWatch::Alarm', {
        Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' },
      }),
    ).toSatisfy((found: object) => Object.keys(found).length === 3);
    main.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^CloseRun could not take'),
    });
    main.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    main.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
  });
});
