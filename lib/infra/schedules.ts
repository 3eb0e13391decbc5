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

/** A recurring run over a tracing window that ends at each scheduled time. */
export interface RunScheduleSpec {
  /** Stable name; the construct id of the schedule. Letters, digits, `-` and `_`. */
  readonly name: string;
  /** Key of the config in the configs bucket (put it outside `configs/` to not also run on upload). */
  readonly configKey: string;
  /** `rate(1 day)`, `rate(6 hours)`, or `cron(0 6 * * ? *)`. */
  readonly expression: string;
  /**
   * Length of each run's window. Must equal the rate for `rate(...)`, so consecutive windows
   * neither overlap nor skip; required for `cron(...)`, where it should match the cron's period.
   * @default the rate, for rate expressions
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

const HOURS_PER_UNIT: Readonly<Record<string, number>> = {
  minute: 1 / 60,
  minutes: 1 / 60,
  hour: 1,
  hours: 1,
  day: 24,
  days: 24,
};

/** Hours between runs of a `rate(n unit)` expression; undefined for cron. */
export function rateHours(expression: string): number | undefined {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!match) return undefined;
  return Number(match[1]) * (HOURS_PER_UNIT[match[2] as string] ?? Number.NaN);
}

function validate(spec: RunScheduleSpec): number {
  const where = `RunSchedules: schedule "${spec.name}"`;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(spec.name))
    throw new Error(
      `RunSchedules: schedule name "${spec.name}" must be 1-64 letters, digits, "-" or "_"`,
    );
  if (!/^[^/].*\.json$/.test(spec.configKey))
    throw new Error(`${where}: configKey must be a relative .json key, got "${spec.configKey}"`);
  const rate = rateHours(spec.expression);
  const isCron = /^cron\(.+\)$/.test(spec.expression.trim());
  if (rate === undefined && !isCron)
    throw new Error(
      `${where}: expression must be rate(<n> minutes|hours|days) or cron(...), got "${spec.expression}"`,
    );
  if (rate !== undefined && rate <= 0) throw new Error(`${where}: the rate must be positive`);
  const window = spec.windowHours ?? rate;
  if (window === undefined)
    throw new Error(`${where}: windowHours is required with a cron expression (the cron's period)`);
  if (!(window > 0)) throw new Error(`${where}: windowHours must be positive, got ${window}`);
  if (rate !== undefined && Math.abs(window - rate) > 1e-9)
    throw new Error(
      `${where}: windowHours (${window}) must equal the rate (${rate} h), or consecutive windows would ${window > rate ? 'overlap' : 'skip time'}`,
    );
  return window;
}

/**
 * EventBridge Scheduler schedules that start runs. Each start carries the scheduled time (not
 * the delivery time, which retries may delay) as the window's end and the window length, so
 * the windows of consecutive runs are back to back. The scheduled time is also the trigger id
 * the state machine claims, so a tick delivered twice runs once.
 */
export class RunSchedules extends Construct {
  readonly schedules: readonly Schedule[];

  constructor(scope: Construct, id: string, props: RunSchedulesProps) {
    super(scope, id);
    const names = new Set<string>();
    this.schedules = props.schedules.map((spec) => {
      const windowHours = validate(spec);
      if (names.has(spec.name))
        throw new Error(`RunSchedules: schedule name "${spec.name}" is used twice`);
      names.add(spec.name);
      const expression = spec.expression.trim();
      return new Schedule(this, spec.name, {
        description: `OpenCLIO run of ${spec.configKey}, ${windowHours} h window ending at each tick`,
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
            windowHours,
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
