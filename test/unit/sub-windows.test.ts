import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isInTimeWindow } from '../../lib/config/window.js';
import { splitWindow } from '../../lib/sources/langsmith/index.js';

const T0 = Date.parse('2025-07-19T00:00:00Z');

describe('splitWindow', () => {
  it('cuts a window into consecutive half-open pieces that cover it exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 ** 9 }),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: -5, max: 10 ** 9 + 5 }),
        (span, parts, minMs, probe) => {
          const window = { start: new Date(T0), end: new Date(T0 + span) };
          const pieces = splitWindow(window, parts, minMs);
          expect(pieces.length).toBeGreaterThanOrEqual(1);
          expect(pieces.length).toBeLessThanOrEqual(parts);
          expect(pieces[0]?.start).toEqual(window.start);
          expect(pieces.at(-1)?.end).toEqual(window.end);
          for (const [i, piece] of pieces.entries()) {
            if (i > 0) expect(piece.start).toEqual(pieces[i - 1]?.end);
            if (pieces.length > 1) {
              expect(piece.end.getTime() - piece.start.getTime()).toBeGreaterThanOrEqual(minMs);
            }
          }
          // A run time lies in exactly the pieces the whole window says it lies in: one or none.
          const t = new Date(T0 + probe);
          const holding = pieces.filter((p) => isInTimeWindow(p, t)).length;
          expect(holding).toBe(isInTimeWindow(window, t) ? 1 : 0);
        },
      ),
    );
  });

  it('keeps the bounds on whole milliseconds, nearly equal in length', () => {
    const pieces = splitWindow({ start: new Date(T0), end: new Date(T0 + 1000) }, 3);
    expect(pieces.map((p) => p.end.getTime() - p.start.getTime())).toEqual([333, 333, 334]);
  });

  it('does not cut a window shorter than two pieces of minMs', () => {
    const hour = { start: new Date(T0), end: new Date(T0 + 3_600_000) };
    expect(splitWindow(hour, 32, 3_600_000)).toEqual([hour]);
    expect(splitWindow(hour, 32, 60_000)).toHaveLength(32);
    expect(splitWindow(hour, 32, 600_000)).toHaveLength(6);
    const empty = { start: new Date(T0), end: new Date(T0) };
    expect(splitWindow(empty, 8)).toEqual([empty]);
  });
});
