import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { DEFAULT_MAX_BAD_ROW_FRACTION } from '../../config/schema.js';
import type { Item, LoadedItems, SourceProblem } from '../types.js';
import { decodeSource, listLines, SourceError } from './decode.js';
import { idFieldCheck, parseCell, type RowMapping, rowToItem } from './rows.js';

export { SourceError } from './decode.js';

export interface FileSourceOptions extends RowMapping {
  /** Absolute path. */
  readonly path: string;
  readonly format: 'jsonl' | 'csv';
  /**
   * The share of rows that may fail to parse before the file is refused rather than clustered
   * from what is left (`source.max_bad_row_fraction`). @default 0.5
   */
  readonly maxBadRowFraction?: number;
}

/** A source file's bytes from the local disk, with an error that names it. */
export async function readSource(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new SourceError(`cannot read source file ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

interface RawRow {
  readonly line: number;
  readonly row: Record<string, unknown>;
}

function jsonlRows(text: string, file: string, problems: SourceProblem[]): RawRow[] {
  const rows: RawRow[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    if (!raw.trim()) return;
    try {
      const value: unknown = JSON.parse(raw);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        problems.push({
          location: `${file}:${line}`,
          message: 'expected a JSON object on this line',
        });
      } else rows.push({ line, row: value as Record<string, unknown> });
    } catch (error) {
      problems.push({
        location: `${file}:${line}`,
        message: `not valid JSON (${(error as Error).message})`,
      });
    }
  });
  return rows;
}

interface CsvRecord {
  record: Record<string, string>;
  info: { lines: number };
}

function csvRows(text: string, file: string, problems: SourceProblem[]): RawRow[] {
  const records = parseCsv(text, {
    columns: true,
    bom: true,
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: { lines?: number; message: string } | undefined) => {
      if (error)
        problems.push({ location: `${file}:${error.lines ?? '?'}`, message: error.message });
    },
  }) as unknown as CsvRecord[];
  return records.map(({ record, info }) => ({
    line: info.lines,
    row: Object.fromEntries(Object.entries(record).map(([k, v]) => [k, parseCell(v)])),
  }));
}

/**
 * A file most of whose rows do not parse is not the format it is read as (a JSON array or a
 * spreadsheet named .csv, a log file): clustering the few rows that happened to parse would
 * present garbage as a result, so the run stops and says why.
 */
function assertMostRowsRead(
  options: FileSourceOptions,
  good: number,
  bad: readonly SourceProblem[],
): void {
  // A broken CSV record can be reported more than once; a row is bad once.
  const badRows = new Set(bad.map((p) => p.location)).size;
  const total = good + badRows;
  const limit = options.maxBadRowFraction ?? DEFAULT_MAX_BAD_ROW_FRACTION;
  if (badRows === 0 || badRows / total <= limit) return;
  const first = bad[0] as SourceProblem;
  throw new SourceError(
    `${badRows} of the ${total} rows of ${options.path} could not be read as ${options.format} ` +
      `(first: ${first.location}: ${first.message}), more than source.max_bad_row_fraction ` +
      `(${limit}) allows: check that the file is ${options.format} (set source.format if its ` +
      'extension misleads), or raise source.max_bad_row_fraction to cluster the rows that parse',
  );
}

/**
 * Loads a JSONL or CSV file; rows that do not parse are reported by line and skipped, unless
 * they are most of the file. The file is read from disk unless `readText` reads it elsewhere
 * (the configs bucket on AWS); bytes are checked for encoding, a string is taken as it is.
 */
export async function loadFileSource(
  options: FileSourceOptions,
  readText: (path: string) => Promise<string | Uint8Array> = readSource,
): Promise<LoadedItems> {
  const { text, invalidUtf8Lines } = decodeSource(await readText(options.path), options.path);
  const file = basename(options.path);
  const problems: SourceProblem[] = [];
  const warnings: string[] = [];
  if (invalidUtf8Lines.length > 0) {
    const count = invalidUtf8Lines.length;
    warnings.push(
      `${file}: ${count} line${count === 1 ? '' : 's'} hold bytes that are not valid UTF-8 ` +
        `(line${count === 1 ? '' : 's'} ${listLines(invalidUtf8Lines)}); each such byte was read ` +
        'as U+FFFD (�): re-export the file as UTF-8 to keep those characters',
    );
  }
  let rows: RawRow[];
  try {
    rows =
      options.format === 'csv' ? csvRows(text, file, problems) : jsonlRows(text, file, problems);
  } catch (error) {
    throw new SourceError(
      `cannot parse ${options.path} as ${options.format}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  assertMostRowsRead(options, rows.length, problems);
  const idCheck = idFieldCheck(
    rows.map(({ row }) => row),
    options,
  );
  if (idCheck.absentEverywhere && options.idFieldGiven) {
    throw new SourceError(
      `source.id_field is "${options.idField}", but no row of ${options.path} has that ${options.format === 'csv' ? 'column' : 'field'}: ` +
        `name the one that holds the ids${idCheck.fields.length > 0 ? ` (the rows have ${idCheck.fields.map((f) => `"${f}"`).join(', ')})` : ''}, or remove source.id_field to number items by line`,
    );
  }
  if (!idCheck.absentEverywhere && idCheck.missingAt.length > 0) {
    const lines = idCheck.missingAt.map((i) => (rows[i] as RawRow).line);
    warnings.push(
      `${file}: ${lines.length} of ${rows.length} rows have no "${options.idField}" (line${lines.length === 1 ? '' : 's'} ${listLines(lines)}); those items are named by their line number`,
    );
  }
  const items: Item[] = [];
  const seen = new Map<string, number>();
  for (const { line, row } of rows) {
    const item = rowToItem(row, line, options);
    const count = (seen.get(item.id) ?? 0) + 1;
    seen.set(item.id, count);
    if (count > 1) {
      const id = `${item.id}~${count}`;
      problems.push({
        location: `${file}:${line}`,
        message: `duplicate id "${item.id}", kept as "${id}"`,
      });
      items.push({ ...item, id });
    } else items.push(item);
  }
  return { items, problems, warnings, description: `file ${options.path}` };
}

export function formatFromPath(path: string): 'jsonl' | 'csv' | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  return undefined;
}
