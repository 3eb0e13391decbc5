import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/trends/history.js';
import { trendsOf } from '../../lib/trends/trends.js';

/** A run of `items` items whose top-level (level 1) clusters have the given sizes by key. */
function run(n: number, items: number, top: Record<string, number>): RunSummary {
  return {
    format: 1,
    runId: `run-${n}`,
    createdAt: `2026-01-0${n}T00:00:00.000Z`,
    source: 'file data.jsonl',
    window: null,
    items,
    levels: [Object.keys(top).length, Object.keys(top).length],
    clusters: Object.entries(top).flatMap(([key, size]) => [
      {
        key: `base-${key}`,
        level: 0,
        name: `${key} base`,
        size,
        partition: 'Default',
        parentKey: key,
      },
      { key, level: 1, name: `${key} (run ${n})`, size, partition: 'Default', parentKey: null },
    ]),
  };
}

const byKey = (trends: ReturnType<typeof trendsOf>) =>
  Object.fromEntries(trends.clusters.map((c) => [c.key, c]));

describe('trendsOf', () => {
  const runs = [
    run(1, 100, { billing: 50, login: 30, mobile: 20 }),
    run(2, 200, { billing: 100, login: 60, mobile: 40 }),
    run(3, 200, { billing: 98, login: 80, alerts: 22 }),
  ];

  it("gives each cluster its share of every run's items, 0 where absent", () => {
    const rows = byKey(trendsOf(runs));
    expect(rows.billing?.shares).toEqual([0.5, 0.5, 0.49]);
    expect(rows.mobile?.shares).toEqual([0.2, 0.2, 0]);
    expect(rows.alerts?.shares).toEqual([0, 0, 0.11]);
    expect(rows.alerts?.sizes).toEqual([0, 0, 22]);
    // The latest name a key had.
    expect(rows.billing?.name).toBe('billing (run 3)');
  });

  it('flags the latest run against the one before, by both thresholds', () => {
    const rows = byKey(trendsOf(runs));
    expect(rows.alerts?.status).toBe('new');
    expect(rows.mobile?.status).toBe('vanished');
    // 30% → 40%: 10 pp and 1.33×.
    expect(rows.login?.status).toBe('growing');
    // 50% → 49%: 1 pp but only 1.02×.
    expect(rows.billing?.status).toBe('stable');
    expect(trendsOf(runs).clusters.map((c) => c.key)).toEqual([
      'alerts',
      'mobile',
      'login',
      'billing',
    ]);
  });

  it('takes the thresholds it is given', () => {
    const rows = byKey(trendsOf(runs, { minPoints: 15 }));
    expect(rows.login?.status).toBe('stable');
    const shrinking = byKey(
      trendsOf([run(1, 100, { a: 40, b: 60 }), run(2, 100, { a: 30, b: 70 })], { minRatio: 1.3 }),
    );
    // 40% → 30%: 10 pp and 0.75× ≤ 1/1.3.
    expect(shrinking.a?.status).toBe('shrinking');
    expect(shrinking.b?.status).toBe('stable');
  });

  it('reads the base level on request, and flags nothing with a single run', () => {
    const base = trendsOf(runs, { level: 'base' });
    expect(base.clusters.every((c) => c.key.startsWith('base-'))).toBe(true);
    expect(byKey(base)['base-login']?.shares).toEqual([0.3, 0.3, 0.4]);
    expect(byKey(trendsOf(runs, { level: 0 }))['base-login']?.shares).toEqual([0.3, 0.3, 0.4]);
    const one = trendsOf(runs.slice(0, 1));
    expect(one.clusters.map((c) => c.status)).toEqual([null, null, null]);
    expect(one.runs).toEqual([
      { runId: 'run-1', createdAt: runs[0]?.createdAt, window: null, items: 100 },
    ]);
  });

  it('keeps a cluster gone for two runs vanished, not new', () => {
    const rows = byKey(trendsOf([...runs, run(4, 100, { billing: 50, login: 50 })]));
    expect(rows.mobile?.status).toBe('vanished');
    expect(rows.alerts?.status).toBe('vanished');
  });
});
