import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  combinedCsv,
  fitCell,
  guardFormula,
  levelCsv,
  MAX_CELL_CHARS,
} from '../../lib/output/csv.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';

const doc = {
  levels: [
    { level: 0, count: 2 },
    { level: 1, count: 1 },
    { level: 2, count: 1 },
  ],
  clusters: [
    {
      level: 0,
      id: 0,
      name: '=HYPERLINK("x")',
      description: 'd0',
      size: 2,
      partition: 'Default',
      parent: 0,
      children: [],
    },
    {
      level: 0,
      id: 1,
      name: 'Refunds',
      description: '-1 trick',
      size: 1,
      partition: 'Default',
      parent: 0,
      children: [],
    },
    {
      level: 1,
      id: 0,
      name: 'Money',
      description: 'd',
      size: 3,
      partition: 'Default',
      parent: 0,
      children: [0, 1],
    },
    {
      level: 2,
      id: 0,
      name: 'All',
      description: 'd',
      size: 3,
      partition: 'Default',
      parent: null,
      children: [0],
    },
  ],
  items: [
    {
      id: 'a',
      summary: '@cmd',
      partition: 'Default',
      path: [0, 0, 0],
      label: 'billing',
      preview: '',
    },
    { id: 'b', summary: 'plain', partition: 'Default', path: [0, 0, 0], preview: '' },
    {
      id: 'c',
      summary: '+1 more',
      partition: 'Default',
      path: [1, 0, 0],
      label: 'refund',
      preview: '',
    },
  ],
} as unknown as HierarchyDoc;

describe('combined.csv', () => {
  it('has the reference columns, one per level, plus label when items have one', () => {
    const rows = parse(
      combinedCsv(doc, (id) => `full ${id}`),
      { columns: true },
    ) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'example_id',
      'full_example',
      'summary',
      'partition',
      'base_cluster_id',
      'base_cluster_name',
      'level_1_id',
      'level_1_name',
      'top_cluster_id',
      'top_cluster_name',
      'label',
    ]);
    expect(rows[2]).toMatchObject({
      example_id: 'c',
      base_cluster_id: '1',
      base_cluster_name: 'Refunds',
      top_cluster_name: 'All',
      label: 'refund',
    });
    expect(rows[1]?.label).toBe('');
  });

  it('guards cells that a spreadsheet would run as formulas', () => {
    const rows = parse(
      combinedCsv(doc, () => '=1+1'),
      { columns: true },
    ) as Record<string, string>[];
    expect(rows[0]?.summary).toBe("'@cmd");
    expect(rows[0]?.full_example).toBe("'=1+1");
    expect(rows[0]?.base_cluster_name).toBe(`'=HYPERLINK("x")`);
    expect(rows[2]?.summary).toBe("'+1 more");
    expect(rows[1]?.summary).toBe('plain');
  });
});

describe('level_{x}_clusters.csv', () => {
  it('lists a level largest first with sizes and member clusters', () => {
    const rows = parse(levelCsv(doc, 0), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'cluster_id',
      'name',
      'description',
      'size',
      'partition',
      'total_size',
      'member_clusters',
    ]);
    expect(rows.map((r) => [r.cluster_id, r.size, r.total_size])).toEqual([
      ['0', '2', '3'],
      ['1', '1', '3'],
    ]);
    expect(rows[1]?.description).toBe("'-1 trick");
    const upper = parse(levelCsv(doc, 1), { columns: true }) as Record<string, string>[];
    expect(upper[0]?.member_clusters).toBe('[0,1]');
  });
});

it('guardFormula leaves ordinary text alone', () => {
  expect(guardFormula('Reset a password')).toBe('Reset a password');
  expect(guardFormula('\tx')).toBe("'\tx");
});

describe('join keys and spreadsheet limits', () => {
  const keyed = {
    ...doc,
    items: [
      { id: '=SUM(A1)', summary: '-a', partition: 'Default', path: [0, 0, 0], preview: '' },
      { id: '-42', summary: 'b', partition: 'Default', path: [0, 0, 0], preview: '' },
      { id: '+1-555-0100', summary: 'c', partition: 'Default', path: [1, 0, 0], preview: '' },
    ],
  } as unknown as HierarchyDoc;

  it('writes example ids exactly, so the CSV joins back to the source; free text stays guarded', () => {
    const rows = parse(
      combinedCsv(keyed, () => '@x'),
      { columns: true },
    ) as Record<string, string>[];
    expect(rows.map((r) => r.example_id)).toEqual(['=SUM(A1)', '-42', '+1-555-0100']);
    expect(rows[0]?.summary).toBe("'-a");
    expect(rows[0]?.full_example).toBe("'@x");
    expect(rows[0]?.base_cluster_name).toBe(`'=HYPERLINK("x")`);
  });

  it('cuts cells longer than a spreadsheet holds, with a marker; shorter ones are untouched', () => {
    const long = 'é'.repeat(MAX_CELL_CHARS + 5000);
    const rows = parse(
      combinedCsv(doc, (id) => (id === 'a' ? long : 'short')),
      { columns: true },
    ) as Record<string, string>[];
    const cell = rows[0]?.full_example ?? '';
    expect(cell.length).toBeLessThanOrEqual(MAX_CELL_CHARS);
    expect(cell).toMatch(/ \[… truncated \d+ characters\]$/);
    const cut = Number(/truncated (\d+)/.exec(cell)?.[1]);
    expect(cell.length - ` [… truncated ${cut} characters]`.length + cut).toBe(long.length);
    expect(rows[1]?.full_example).toBe('short');
    expect(fitCell('x'.repeat(MAX_CELL_CHARS))).toHaveLength(MAX_CELL_CHARS);
  });

  it('never splits an emoji when cutting', () => {
    const cell = fitCell('😀'.repeat(MAX_CELL_CHARS));
    expect(cell.length).toBeLessThanOrEqual(MAX_CELL_CHARS);
    expect(cell).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  });

  it('a one-level hierarchy has the top_cluster columns too (its only level is the top)', () => {
    const flat = {
      levels: [{ level: 0, count: 1 }],
      clusters: [
        {
          level: 0,
          id: 0,
          name: 'Only',
          description: 'd',
          size: 1,
          partition: 'Default',
          parent: null,
          children: [],
        },
      ],
      items: [{ id: 'a', summary: 's', partition: 'Default', path: [0], preview: '' }],
    } as unknown as HierarchyDoc;
    const rows = parse(
      combinedCsv(flat, () => 'x'),
      { columns: true },
    ) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'example_id',
      'full_example',
      'summary',
      'partition',
      'base_cluster_id',
      'base_cluster_name',
      'top_cluster_id',
      'top_cluster_name',
    ]);
    expect(rows[0]).toMatchObject({
      base_cluster_id: '0',
      top_cluster_id: '0',
      top_cluster_name: 'Only',
    });
  });
});
