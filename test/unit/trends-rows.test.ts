import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../lib/trends/history.js';
import { trendsOf } from '../../lib/trends/trends.js';
import type { TrendCluster } from '../../lib/trends/types.js';
import {
  runLabel,
  runToOpen,
  STATUS_LABELS,
  shareText,
  sparkPoints,
  trendRows,
} from '../../viewer/src/trends-rows.js';

/** A run of `items` items with one level whose clusters have the given sizes by key. */
function run(n: number, items: number, sizes: Record<string, number>): RunSummary {
  return {
    format: 1,
    runId: `run-${n}`,
    createdAt: `2026-01-0${n}T09:30:00.000Z`,
    source: 'file data.jsonl',
    window: null,
    items,
    levels: [Object.keys(sizes).length],
    clusters: Object.entries(sizes).map(([key, size]) => ({
      key,
      level: 0,
      name: key,
      size,
      partition: 'Default',
      parentKey: null,
    })),
  };
}

const trends = trendsOf([
  run(1, 100, { billing: 50, login: 10, mobile: 40 }),
  run(2, 100, { billing: 45, login: 30, alerts: 25 }),
]);

describe('the Trends view rows', () => {
  it('sorts by the latest share, largest first', () => {
    const rows = trendRows(trends, 'latest');
    expect(rows.map((r) => [r.key, r.latest])).toEqual([
      ['billing', 0.45],
      ['login', 0.3],
      ['alerts', 0.25],
      ['mobile', 0],
    ]);
  });

  it('sorts by how far the share moved since the run before, either way', () => {
    const rows = trendRows(trends, 'change');
    expect(rows.map((r) => r.key)).toEqual(['mobile', 'alerts', 'login', 'billing']);
    const change = Object.fromEntries(rows.map((r) => [r.key, r.change]));
    expect(change.mobile).toBeCloseTo(-40, 9);
    expect(change.login).toBeCloseTo(20, 9);
    expect(change.billing).toBeCloseTo(-5, 9);
  });

  it('shows no change with a single run', () => {
    const rows = trendRows(trendsOf([run(1, 10, { a: 4, b: 6 })]), 'change');
    expect(rows.map((r) => r.change)).toEqual([0, 0]);
  });

  it('calls a vanished cluster gone and gives an unchanged one no badge', () => {
    const status = Object.fromEntries(trends.clusters.map((c) => [c.key, c.status]));
    expect(STATUS_LABELS[status.mobile ?? 'stable']).toBe('gone');
    expect(STATUS_LABELS[status.alerts ?? 'stable']).toBe('new');
    expect(STATUS_LABELS.stable).toBeNull();
  });

  it('prints a share to one decimal, and a dash where the cluster is absent', () => {
    expect(shareText(0.1234, 12)).toBe('12.3%');
    expect(shareText(0, 0)).toBe('–');
  });

  it('labels a run by its window where it has one, else by when it ran', () => {
    const [first] = trends.runs;
    expect(runLabel(first as (typeof trends.runs)[number])).toBe('Jan 1, 2026, 9:30 AM');
    expect(
      runLabel({
        runId: 'w',
        createdAt: '2026-02-09T00:00:00Z',
        items: 1,
        window: { start: '2026-02-01T00:00:00Z', end: '2026-02-08T00:00:00Z' },
      }),
    ).toBe('Feb 1, 2026 – Feb 8, 2026');
  });
});

describe('the run a click on a name opens', () => {
  const three = trendsOf([
    run(1, 10, { a: 5, gone: 5 }),
    run(2, 10, { a: 5, gone: 5 }),
    run(3, 10, { a: 10 }),
  ]);
  const row = (key: string) => three.clusters.find((c) => c.key === key) as TrendCluster;

  it('is the latest run that has the cluster and is still kept', () => {
    const all = { 'run-1': 'r1', 'run-2': 'r2', 'run-3': 'r3' };
    expect(runToOpen(row('a'), three.runs, all)).toBe(2);
    expect(runToOpen(row('gone'), three.runs, all)).toBe(1);
    expect(runToOpen(row('a'), three.runs, { 'run-1': 'r1' })).toBe(0);
  });

  it('is the latest that has it when none is kept, so the view can say so', () => {
    expect(runToOpen(row('gone'), three.runs, {})).toBe(1);
  });
});

describe('sparkline points', () => {
  const box = { width: 100, height: 40, pad: 5 };

  it('spreads the runs evenly and puts the top share at the top, zero at the bottom', () => {
    const points = sparkPoints([0, 0.2, 0.4], 0.4, box);
    expect(points.map((p) => p.x)).toEqual([5, 50, 95]);
    expect(points.map((p) => p.y)).toEqual([35, 20, 5]);
  });

  it('centres a single run and keeps an all-zero line on the bottom', () => {
    expect(sparkPoints([0.3], 0.3, box)).toEqual([{ x: 50, y: 5 }]);
    expect(sparkPoints([0, 0], 0, box).map((p) => p.y)).toEqual([35, 35]);
  });
});
