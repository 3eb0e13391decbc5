import type { ClioConfig } from './schema.js';

/** A half-open interval [start, end): a run at exactly `end` belongs to the next window. */
export interface TimeWindow {
  readonly start: Date;
  readonly end: Date;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

type WindowKeys = Pick<ClioConfig, 'start_time' | 'end_time' | 'hours' | 'days'>;

/**
 * The tracing-project window a config asks for. With `hours`/`days` (or nothing, which means the
 * last hour, as in the reference) the window ends at `now`.
 */
export function resolveTimeWindow(config: WindowKeys, now: Date): TimeWindow {
  if (config.start_time !== undefined && config.end_time !== undefined) {
    return { start: new Date(config.start_time), end: new Date(config.end_time) };
  }
  const span =
    config.hours !== undefined
      ? config.hours * HOUR_MS
      : config.days !== undefined
        ? config.days * DAY_MS
        : HOUR_MS;
  const end = new Date(now.getTime());
  return { start: new Date(end.getTime() - span), end };
}

export function isInTimeWindow(window: TimeWindow, time: Date): boolean {
  const t = time.getTime();
  return t >= window.start.getTime() && t < window.end.getTime();
}

export function describeTimeWindow(window: TimeWindow): string {
  return `[${window.start.toISOString()}, ${window.end.toISOString()})`;
}
