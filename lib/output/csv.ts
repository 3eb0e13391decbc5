import { stringify } from 'csv-stringify/sync';
import type { ClusterRecord, HierarchyDoc } from './hierarchy-schema.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, and summaries come
 * from untrusted data: such cells get a leading apostrophe, which spreadsheets show as text.
 */
export function guardFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

type Row = readonly (string | number)[];

const guardRow = (row: Row) =>
  row.map((cell) => (typeof cell === 'string' ? guardFormula(cell) : cell));

function toCsv(header: readonly string[], rows: readonly Row[]): string {
  return stringify([header, ...rows.map(guardRow)]);
}

/** Rows per piece of a large CSV. */
const PIECE_ROWS = 2_000;

/**
 * A CSV as bytes, built piece by piece: a 100k-item `combined.csv` with full examples can pass
 * the longest string V8 can hold (~512 MiB), which a Buffer does not limit.
 */
function toCsvBytes(
  header: readonly string[],
  rowCount: number,
  rowAt: (i: number) => Row,
): Buffer {
  const pieces = [Buffer.from(stringify([header]))];
  for (let start = 0; start < rowCount; start += PIECE_ROWS) {
    const rows: Row[] = [];
    for (let i = start; i < Math.min(rowCount, start + PIECE_ROWS); i++)
      rows.push(guardRow(rowAt(i)));
    pieces.push(Buffer.from(stringify(rows)));
  }
  return Buffer.concat(pieces);
}

/** Column stem of a level in `combined.csv`: base, level_N in between, top. */
export function levelColumn(level: number, levelCount: number): string {
  if (level === 0) return 'base_cluster';
  if (level === levelCount - 1) return 'top_cluster';
  return `level_${level}`;
}

function clusterIndex(doc: HierarchyDoc): Map<string, ClusterRecord> {
  return new Map(doc.clusters.map((c) => [`${c.level}:${c.id}`, c]));
}

/**
 * `combined.csv`: one row per item with its summary and its cluster at every level, in the
 * reference's columns; a `label` column when items carry ground truth.
 */
export function combinedCsv(doc: HierarchyDoc, fullExample: (id: string) => string): Buffer {
  const levelCount = doc.levels.length;
  const hasLabels = doc.items.some((item) => item.label !== undefined);
  const header = ['example_id', 'full_example', 'summary', 'partition'];
  for (let level = 0; level < levelCount; level++) {
    const stem = levelColumn(level, levelCount);
    header.push(`${stem}_id`);
    header.push(`${stem}_name`);
  }
  if (hasLabels) header.push('label');
  const clusters = clusterIndex(doc);
  return toCsvBytes(header, doc.items.length, (i) => {
    const item = doc.items[i] as HierarchyDoc['items'][number];
    const row: (string | number)[] = [item.id, fullExample(item.id), item.summary, item.partition];
    item.path.forEach((id, level) => {
      row.push(id, clusters.get(`${level}:${id}`)?.name ?? '');
    });
    if (hasLabels) row.push(item.label ?? '');
    return row;
  });
}

/** `level_{x}_clusters.csv`: the clusters of one level, largest first. */
export function levelCsv(doc: HierarchyDoc, level: number): string {
  const clusters = doc.clusters
    .filter((c) => c.level === level)
    .sort((a, b) => b.size - a.size || a.id - b.id);
  const total = clusters.reduce((sum, c) => sum + c.size, 0);
  const header = [
    'cluster_id',
    'name',
    'description',
    'size',
    'partition',
    'total_size',
    'member_clusters',
  ];
  const rows = clusters.map((c) => [
    c.id,
    c.name,
    c.description,
    c.size,
    c.partition,
    total,
    c.children.length > 0 ? JSON.stringify(c.children) : '',
  ]);
  return toCsv(header, rows);
}
