import { describe, expect, it } from 'vitest';
import type { VizCluster } from '../../lib/viz/format.js';
import { csvCell, rowsCsv, sortRows, tableRows } from '../../viewer/src/table-rows.js';

const cluster = (id: number, size: number, name: string): VizCluster => ({
  level: 0,
  id,
  name,
  description: '',
  size,
  partition: 'all',
  parent: null,
  children: [],
  start: 0,
});

describe('the cluster table rows', () => {
  it('quotes CSV cells and defuses cells a spreadsheet would run as formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a, "b"')).toBe('"a, ""b"""');
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(0.25)).toBe('0.25');
  });

  it('sorts missing figures last in either direction', () => {
    const rows = tableRows(
      [cluster(0, 10, 'a'), cluster(1, 30, 'b'), cluster(2, 20, 'c')],
      60,
      {
        format: 1,
        similarity: false,
        agreement: [],
        clusters: [
          { level: 0, id: 0, terms: [], nearest: [], purity: 0.5 },
          { level: 0, id: 2, terms: [], nearest: [], purity: 0.9 },
        ],
      },
      undefined,
    );
    expect(sortRows(rows, 'purity', true).map((r) => r.cluster.id)).toEqual([0, 2, 1]);
    expect(sortRows(rows, 'purity', false).map((r) => r.cluster.id)).toEqual([2, 0, 1]);
    expect(sortRows(rows, 'size', false).map((r) => r.size)).toEqual([30, 20, 10]);
    const csv = rowsCsv(sortRows(rows, 'name', true)).split('\r\n');
    expect(csv[1]).toBe('0,0,a,all,10,0.1667,,,,,0.5');
    expect(csv[2]).toBe('0,1,b,all,30,0.5,,,,,');
  });
});
