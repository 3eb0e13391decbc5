import { CronExpressionParser } from 'cron-parser';
import { describe, expect, it } from 'vitest';
import {
  type RunSchedule,
  rateMinutes,
  scheduledWindow,
  validateRunSchedule,
} from '../../lib/config/schedule-window.js';

const iso = (d: Date) => d.toISOString();

/** Consecutive ticks' windows, as the schedule would start them: each tick is the next window's end. */
function windowsOver(schedule: RunSchedule, ticks: readonly Date[]) {
  return ticks.map((tick) => scheduledWindow(schedule, tick));
}

function expectBackToBack(windows: ReturnType<typeof windowsOver>) {
  for (let i = 1; i < windows.length; i++) {
    const previous = windows[i - 1];
    const current = windows[i];
    // Neither overlap nor gap: each window starts exactly where the previous one ended.
    expect(iso(current?.start as Date)).toBe(iso(previous?.end as Date));
  }
}

/** The ticks EventBridge Scheduler would fire for an AWS cron, from an independent reading. */
function ticksOf(fields: string, timeZone: string, from: string, count: number): Date[] {
  const iterator = CronExpressionParser.parse(fields, {
    currentDate: new Date(from),
    tz: timeZone,
  });
  return Array.from({ length: count }, () => iterator.next().toDate());
}

describe('scheduled windows', () => {
  it('reads rate(30 minutes), which used to fail every run, as back-to-back half hours', () => {
    const schedule = { expression: 'rate(30 minutes)' };
    expect(rateMinutes(schedule.expression)).toBe(30);
    const start = Date.parse('2026-12-03T20:00:00Z');
    const ticks = Array.from({ length: 5 }, (_, i) => new Date(start + i * 30 * 60_000));
    const windows = windowsOver(schedule, ticks);
    expect(iso(windows[0]?.start as Date)).toBe('2026-12-03T19:30:00.000Z');
    expect(iso(windows[0]?.end as Date)).toBe('2026-12-03T20:00:00.000Z');
    expectBackToBack(windows);
  });

  it('takes every rate unit', () => {
    expect(rateMinutes('rate(1 minute)')).toBe(1);
    expect(rateMinutes('rate(6 hours)')).toBe(360);
    expect(rateMinutes('rate(1 day)')).toBe(1440);
    expect(rateMinutes('rate(2 days)')).toBe(2880);
    expect(rateMinutes('cron(0 6 * * ? *)')).toBeUndefined();
  });

  it('gives a daily cron in Europe/Berlin 23- and 25-hour windows across the DST changes, never a gap or overlap', () => {
    const schedule = { expression: 'cron(0 6 * * ? *)', timeZone: 'Europe/Berlin' };
    // Spring forward is 2027-03-28, fall back 2027-10-31.
    const spring = ticksOf('0 6 * * *', 'Europe/Berlin', '2027-03-25T00:00:00Z', 6);
    const autumn = ticksOf('0 6 * * *', 'Europe/Berlin', '2027-10-28T00:00:00Z', 6);
    for (const ticks of [spring, autumn]) expectBackToBack(windowsOver(schedule, ticks));
    const hours = (w: { start: Date; end: Date }) => (w.end.getTime() - w.start.getTime()) / 3.6e6;
    expect(windowsOver(schedule, spring).map(hours)).toContain(23);
    expect(windowsOver(schedule, autumn).map(hours)).toContain(25);
    // 06:00 in Berlin is 04:00 UTC in summer time, 05:00 UTC in winter time.
    const afterSpring = scheduledWindow(schedule, new Date('2027-03-29T04:00:00Z'));
    expect(iso(afterSpring.start)).toBe('2027-03-28T04:00:00.000Z');
    const acrossSpring = scheduledWindow(schedule, new Date('2027-03-28T04:00:00Z'));
    expect(iso(acrossSpring.start)).toBe('2027-03-27T05:00:00.000Z');
  });

  it('numbers weekdays the AWS way (1 = Sunday) and reads the year field', () => {
    // Mondays at 09:00 UTC: AWS writes Monday as 2.
    const monday = scheduledWindow(
      { expression: 'cron(0 9 ? * 2 *)' },
      new Date('2026-12-07T09:00:00Z'),
    );
    expect(iso(monday.start)).toBe('2026-11-30T09:00:00.000Z');
    const named = scheduledWindow(
      { expression: 'cron(0 9 ? * MON-FRI *)' },
      new Date('2026-12-07T09:00:00Z'),
    );
    expect(iso(named.start)).toBe('2026-12-04T09:00:00.000Z');
    // The second Tuesday (3#2) of each month.
    const patchTuesday = scheduledWindow(
      { expression: 'cron(0 18 ? * 3#2 *)' },
      new Date('2026-12-08T18:00:00Z'),
    );
    expect(iso(patchTuesday.start)).toBe('2026-11-10T18:00:00.000Z');
    const yearly = scheduledWindow(
      { expression: 'cron(0 0 1 1 ? 2025,2027)' },
      new Date('2027-01-01T00:00:00Z'),
    );
    expect(iso(yearly.start)).toBe('2025-01-01T00:00:00.000Z');
  });

  it('uses a fixed length when windowHours is set', () => {
    const window = scheduledWindow(
      { expression: 'cron(0 6 * * ? *)', windowHours: 168 },
      new Date('2026-12-03T06:00:00Z'),
    );
    expect(iso(window.start)).toBe('2026-11-26T06:00:00.000Z');
  });

  it('says what is wrong with a schedule it cannot read', () => {
    expect(() => validateRunSchedule({ expression: 'rate(30 seconds)' })).toThrow(
      'expression must be rate(<n> minutes|hours|days) or cron(<6 fields>), got "rate(30 seconds)"',
    );
    expect(() => validateRunSchedule({ expression: 'cron(0 6 * * ?)' })).toThrow(
      'expected 6 fields',
    );
    expect(() => validateRunSchedule({ expression: 'cron(0 6 15W * ? *)' })).toThrow(
      /W \(nearest weekday\).*set windowHours/,
    );
    expect(() => validateRunSchedule({ expression: 'cron(0 99 * * ? *)' })).toThrow(/cron fields/);
    expect(() =>
      validateRunSchedule({ expression: 'cron(0 6 * * ? *)', timeZone: 'Mars/Olympus' }),
    ).toThrow('time zone "Mars/Olympus" is not an IANA time zone');
    expect(() => validateRunSchedule({ expression: 'cron(0 0 1 1 ? 2020)' })).toThrow(
      'never matches after',
    );
    expect(() => validateRunSchedule({ expression: 'rate(1 day)', windowHours: 12 })).toThrow(
      /would skip time/,
    );
    expect(validateRunSchedule({ expression: 'rate(15 minutes)' })).toBe(0.25);
    expect(validateRunSchedule({ expression: 'cron(0 6 * * ? *)' })).toBeUndefined();
  });
});
