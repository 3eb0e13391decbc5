import { CronExpressionParser } from 'cron-parser';
import type { TimeWindow } from './window.js';

/**
 * The tracing window of a scheduled run, computed from the tick itself: a run scheduled at `t`
 * reads [previous tick, t). Windows of consecutive ticks are then back to back whatever the
 * expression is: `rate(30 minutes)`, or a cron in a time zone whose period is 23 or 25 hours
 * across a daylight-saving change.
 */
export interface RunSchedule {
  /** EventBridge Scheduler syntax: `rate(<n> minute|minutes|hour|hours|day|days)` or `cron(<6 fields>)`. */
  readonly expression: string;
  /** IANA time zone of a cron expression. Default UTC. */
  readonly timeZone?: string | undefined;
  /** A fixed window length instead of "since the previous tick" (for crons the parser cannot read). */
  readonly windowHours?: number | undefined;
}

export class ScheduleError extends Error {
  override name = 'ScheduleError';
}

const MINUTE_MS = 60_000;
const UNIT_MINUTES: Readonly<Record<string, number>> = {
  minute: 1,
  minutes: 1,
  hour: 60,
  hours: 60,
  day: 1440,
  days: 1440,
};

/** Minutes between ticks of `rate(n unit)`; undefined for anything else. */
export function rateMinutes(expression: string): number | undefined {
  const match = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!match) return undefined;
  return Number(match[1]) * (UNIT_MINUTES[match[2] as string] ?? Number.NaN);
}

const WEEKDAY_FIELD = 4;
const YEAR_FIELD = 5;

/** AWS numbers weekdays 1-7 from Sunday; standard cron numbers them 0-6. */
const shiftWeekdays = (field: string): string =>
  field.replace(/\d+/g, (n, offset: number, whole: string) =>
    // The number after `#` is the nth weekday of the month, not a weekday.
    whole[offset - 1] === '#' ? n : String(Number(n) - 1),
  );

/** Whether `year` is in an AWS cron year field (`*`, `2027`, `2026-2028`, `2026,2028`, `2026/2`). */
function yearMatches(field: string, year: number): boolean {
  return field.split(',').some((part) => {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (range === '*' || range === '?') return (year - 1970) % step === 0;
    const [from, to] = (range ?? '').split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) return false;
    const last = to ?? (stepText === undefined ? from : 9999);
    return year >= from && year <= last && (year - from) % step === 0;
  });
}

interface ParsedCron {
  readonly fields: string;
  readonly year: string;
}

function parseAwsCron(expression: string): ParsedCron | undefined {
  const match = /^cron\((.+)\)$/.exec(expression.trim());
  if (!match) return undefined;
  const fields = (match[1] as string).trim().split(/\s+/);
  if (fields.length !== 6)
    throw new ScheduleError(
      `cron(${match[1]}): expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  if (fields.some((f) => f.includes('W')))
    throw new ScheduleError(
      `cron(${match[1]}): the W (nearest weekday) form cannot be stepped back to find the previous tick; set windowHours`,
    );
  const standard = fields.slice(0, YEAR_FIELD).map((f, i) => {
    const any = f === '?' ? '*' : f;
    return i === WEEKDAY_FIELD && any !== '*' ? shiftWeekdays(any) : any;
  });
  return { fields: standard.join(' '), year: fields[YEAR_FIELD] as string };
}

/** AWS cron years run from 1970 to 2199. */
const YEARS = { first: 1970, last: 2199 } as const;
const HOUR_MS = 60 * MINUTE_MS;

const localYear = (date: Date, timeZone: string) =>
  Number(new Intl.DateTimeFormat('en', { timeZone, year: 'numeric' }).format(date));

function parseFields(cron: ParsedCron, timeZone: string, from: Date) {
  try {
    return CronExpressionParser.parse(cron.fields, { currentDate: from, tz: timeZone });
  } catch (error) {
    throw new ScheduleError(`cron fields "${cron.fields}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * The last tick of `cron` strictly before `time` (or the first after it), in `timeZone`. A tick
 * in a year the year field excludes skips to the next year's edge: UTC ±14 h around New Year
 * covers every zone's local New Year, so no matching tick is jumped over.
 */
function cronTick(
  cron: ParsedCron,
  timeZone: string,
  time: Date,
  direction: 'prev' | 'next',
): Date {
  let iterator = parseFields(cron, timeZone, time);
  for (;;) {
    const tick = iterator[direction]().toDate();
    const year = localYear(tick, timeZone);
    if (yearMatches(cron.year, year)) return tick;
    if (year <= YEARS.first || year >= YEARS.last) break;
    const edge =
      direction === 'next'
        ? Date.UTC(year + 1, 0, 1) - 15 * HOUR_MS
        : Date.UTC(year, 0, 1) + 13 * HOUR_MS;
    const from =
      direction === 'next' ? Math.max(edge, tick.getTime()) : Math.min(edge, tick.getTime());
    iterator = parseFields(cron, timeZone, new Date(from));
  }
  throw new ScheduleError(
    `cron year field "${cron.year}" never matches ${direction === 'prev' ? 'before' : 'after'} ${time.toISOString()}`,
  );
}

function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new ScheduleError(
      `time zone "${timeZone}" is not an IANA time zone (e.g. Europe/Berlin)`,
    );
  }
}

/**
 * Checks an expression the way the window computation will read it, so a schedule that
 * synthesizes also runs. Returns the fixed window length in hours, or undefined for a cron
 * whose window is "since the previous tick".
 */
export function validateRunSchedule(schedule: RunSchedule): number | undefined {
  const rate = rateMinutes(schedule.expression);
  const cron = rate === undefined ? parseAwsCron(schedule.expression) : undefined;
  if (rate === undefined && !cron)
    throw new ScheduleError(
      `expression must be rate(<n> minutes|hours|days) or cron(<6 fields>), got "${schedule.expression}"`,
    );
  if (rate !== undefined && rate <= 0) throw new ScheduleError('the rate must be positive');
  if (schedule.windowHours !== undefined && !(schedule.windowHours > 0))
    throw new ScheduleError(`windowHours must be positive, got ${schedule.windowHours}`);
  if (rate !== undefined) {
    const hours = rate / 60;
    if (schedule.windowHours !== undefined && Math.abs(schedule.windowHours - hours) > 1e-9)
      throw new ScheduleError(
        `windowHours (${schedule.windowHours}) must equal the rate (${hours} h), or consecutive windows would ${schedule.windowHours > hours ? 'overlap' : 'skip time'}`,
      );
    return hours;
  }
  const timeZone = schedule.timeZone ?? 'UTC';
  checkTimeZone(timeZone);
  // Finding the next tick proves the fields parse and the schedule still fires.
  if (cron) cronTick(cron, timeZone, new Date(), 'next');
  return schedule.windowHours;
}

/** The window a run scheduled at `scheduledTime` reads: [previous tick, scheduled time). */
export function scheduledWindow(schedule: RunSchedule, scheduledTime: Date): TimeWindow {
  const end = scheduledTime;
  const fixedHours = validateRunSchedule(schedule);
  if (fixedHours !== undefined)
    return { start: new Date(end.getTime() - fixedHours * HOUR_MS), end };
  const cron = parseAwsCron(schedule.expression) as ParsedCron;
  return { start: cronTick(cron, schedule.timeZone ?? 'UTC', end, 'prev'), end };
}
