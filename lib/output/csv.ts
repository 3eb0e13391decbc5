import { stringify } from 'csv-stringify/sync';
import { distributionCell, facetNames } from '../facets/distribution.js';
import type { ClusterRecord, HierarchyDoc } from './hierarchy-schema.js';

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula, and summaries come
 * from untrusted data: such cells get a leading apostrophe, which spreadsheets show as text.
 */
export function guardFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** Excel and LibreOffice hold at most this many characters in a cell; longer ones are cut or refused. */
export const MAX_CELL_CHARS = 32_767;

/**
 * A text at most `MAX_CELL_CHARS` long, with a marker saying how much was cut: a spreadsheet
 * would otherwise cut it silently (Excel) or spill it into the next row (some importers).
 * Never splits a surrogate pair.
 */
export function fitCell(text: string): string {
  if (text.length <= MAX_CELL_CHARS) return text;
  const marker = (cut: number) => ` [… truncated ${cut} characters]`;
  // The marker's own length depends on the count; the count's digits barely move it.
  let keep = MAX_CELL_CHARS - marker(text.length).length;
  if (/[\uD800-\uDBFF]/.test(text.charAt(keep - 1))) keep--;
  return `${text.slice(0, keep)}${marker(text.length - keep)}`;
}

/**
 * A free-text cell (full example, summary, name, description, label): guarded against formulas
 * and fitted to a spreadsheet cell. Join keys (`example_id`, cluster ids, partitions) are not
 * free text and are written exactly, so the CSV joins back to the source.
 */
export const textCell = (text: string): string => fitCell(guardFormula(text));

type Row = readonly (string | number)[];

function toCsv(header: readonly string[], rows: readonly Row[]): string {
  return stringify([header, ...rows]);
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
    for (let i = start; i < Math.min(rowCount, start + PIECE_ROWS); i++) rows.push(rowAt(i));
    pieces.push(Buffer.from(stringify(rows)));
  }
  return Buffer.concat(pieces);
}

/**
 * Column stems of a level in `combined.csv`: base, level_N in between, top. A one-level
 * hierarchy's only level is both base and top, so both pairs of columns are there, as the
 * README lists them and as readers that join on `top_cluster_id` expect.
 */
export function levelColumns(level: number, levelCount: number): string[] {
  const stems: string[] = [];
  if (level === 0) stems.push('base_cluster');
  if (level === levelCount - 1) stems.push('top_cluster');
  if (stems.length === 0) stems.push(`level_${level}`);
  return stems;
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
    for (const stem of levelColumns(level, levelCount)) header.push(`${stem}_id`, `${stem}_name`);
  }
  if (hasLabels) header.push('label');
  const facets = facetNames(doc.items);
  header.push(...facets.map((name) => `facet_${name}`));
  const clusters = clusterIndex(doc);
  return toCsvBytes(header, doc.items.length, (i) => {
    const item = doc.items[i] as HierarchyDoc['items'][number];
    const row: (string | number)[] = [
      item.id,
      textCell(fullExample(item.id)),
      textCell(item.summary),
      item.partition,
    ];
    item.path.forEach((id, level) => {
      const name = textCell(clusters.get(`${level}:${id}`)?.name ?? '');
      for (const _ of levelColumns(level, levelCount)) row.push(id, name);
    });
    if (hasLabels) row.push(textCell(item.label ?? ''));
    for (const name of facets) {
      const value = item.facets?.[name];
      row.push(typeof value === 'string' ? textCell(value) : (value ?? ''));
    }
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
  const facets = facetNames(clusters);
  header.push(...facets.map((name) => `facet_${name}`));
  const rows = clusters.map((c) => [
    c.id,
    textCell(c.name),
    textCell(c.description),
    c.size,
    c.partition,
    total,
    c.children.length > 0 ? JSON.stringify(c.children) : '',
    ...facets.map((name) => textCell(String(distributionCell(c.facets?.[name])))),
  ]);
  return toCsv(header, rows);
}
