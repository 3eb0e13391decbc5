import type { TimeWindow } from '../../config/window.js';

/**
 * `window` cut into at most `parts` consecutive half-open windows of (nearly) equal length, on
 * whole milliseconds (the precision run times are compared at) and none shorter than
 * `minMs`: together they cover exactly [start, end), so a run falls in exactly one of them.
 * An empty window stays one (empty) window.
 */
export function splitWindow(window: TimeWindow, parts: number, minMs = 1): TimeWindow[] {
  const start = window.start.getTime();
  const end = window.end.getTime();
  const span = end - start;
  const count = Math.max(1, Math.min(Math.floor(parts), Math.floor(span / Math.max(1, minMs))));
  const bounds = Array.from({ length: count + 1 }, (_, i) =>
    i === count ? end : start + Math.floor((span * i) / count),
  );
  return bounds
    .slice(1)
    .map((to, i) => ({ start: new Date(bounds[i] as number), end: new Date(to) }));
}
