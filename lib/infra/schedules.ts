import { Duration, TimeZone } from 'aws-cdk-lib';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ScheduleError, validateRunSchedule } from '../config/schedule-window.js';

/** A recurring run over a tracing window that ends at each scheduled time. */
export interface RunScheduleSpec {
  /** Stable name; the construct id of the schedule. Letters, digits, `-` and `_`. */
  readonly name: string;
  /** Key of the config in the configs bucket (put it outside `configs/` to not also run on upload). */
  readonly configKey: string;
  /** `rate(30 minutes)`, `rate(1 day)`, or `cron(0 6 * * ? *)`. */
  readonly expression: string;
  /**
   * A fixed window length. Must equal the rate for `rate(...)` when given.
   * @default from the previous tick to this one, so consecutive windows neither overlap nor
   * skip (a daily cron in a time zone reads 23 or 25 hours across a daylight-saving change)
   */
  readonly windowHours?: number;
  /**
   * IANA time zone of a cron expression.
   * @default 'UTC'
   */
  readonly timeZone?: string;
  /** @default true */
  readonly enabled?: boolean;
}

export interface RunSchedulesProps {
  readonly stateMachine: IStateMachine;
  readonly schedules: readonly RunScheduleSpec[];
  /** Where starts the Scheduler could not deliver go. */
  readonly deadLetterQueue: IQueue;
}

function validate(spec: RunScheduleSpec): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.name))
    throw new Error(
      `RunSchedules: schedule name "${spec.name}" must be 1-64 letters, digits, "-" or "_"`,
    );
  const where = `RunSchedules: schedule "${spec.name}"`;
  if (!/^[^/].*\.json$/.test(spec.configKey))
    throw new Error(`${where}: configKey must be a relative .json key, got "${spec.configKey}"`);
  try {
    validateRunSchedule(spec);
  } catch (error) {
    if (error instanceof ScheduleError) throw new Error(`${where}: ${error.message}`);
    throw error;
  }
}

/**
 * EventBridge Scheduler schedules that start runs. Each start carries the scheduled time (not
 * the delivery time, which retries may delay) and the schedule itself; Prepare reads the window
 * [previous tick, scheduled time), so the windows of consecutive runs are back to back. The
 * scheduled time is also the trigger id the state machine claims, so a tick delivered twice
 * runs once.
 */
export class RunSchedules extends Construct {
  readonly schedules: readonly Schedule[];

  constructor(scope: Construct, id: string, props: RunSchedulesProps) {
    super(scope, id);
    const names = new Set<string>();
    this.schedules = props.schedules.map((spec) => {
      validate(spec);
      if (names.has(spec.name))
        throw new Error(`RunSchedules: schedule name "${spec.name}" is used twice`);
      names.add(spec.name);
      const expression = spec.expression.trim();
      return new Schedule(this, spec.name, {
        description: `OpenCLIO run of ${spec.configKey} over the window ending at each tick`,
        schedule: ScheduleExpression.expression(
          expression,
          spec.timeZone ? TimeZone.of(spec.timeZone) : undefined,
        ),
        // Exact times: a flexible window would move the tick, but not the window it names.
        timeWindow: TimeWindow.off(),
        enabled: spec.enabled ?? true,
        target: new StepFunctionsStartExecution(props.stateMachine, {
          input: ScheduleTargetInput.fromObject({
            configKey: spec.configKey,
            scheduledTime: ContextAttribute.scheduledTime,
            schedule: {
              expression,
              ...(spec.timeZone ? { timeZone: spec.timeZone } : {}),
              ...(spec.windowHours !== undefined ? { windowHours: spec.windowHours } : {}),
            },
            trigger: `schedule#${ContextAttribute.scheduledTime}`,
          }),
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      });
    });
  }
}
