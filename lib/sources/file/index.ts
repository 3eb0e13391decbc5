import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { ClioError } from '../../util/errors.js';
import type { Item, LoadedItems, SourceProblem } from '../types.js';
import { parseCell, type RowMapping, rowToItem } from './rows.js';

export interface FileSourceOptions extends RowMapping {
  /** Absolute path. */
  readonly path: string;
  readonly format: 'jsonl' | 'csv';
}

export class SourceError extends ClioError {
  override name = 'SourceError';
}

/** A source file from the local disk, with an error that names it. */
export async function readSource(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
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
 * Loads a JSONL or CSV file; rows that do not parse are reported by line and skipped. The file
 * is read from disk unless `readText` reads it elsewhere (the configs bucket on AWS).
 */
export async function loadFileSource(
  options: FileSourceOptions,
  readText: (path: string) => Promise<string> = readSource,
): Promise<LoadedItems> {
  const text = await readText(options.path);
  const file = basename(options.path);
  const problems: SourceProblem[] = [];
  let rows: RawRow[];
  try {
    rows =
      options.format === 'csv' ? csvRows(text, file, problems) : jsonlRows(text, file, problems);
  } catch (error) {
    throw new SourceError(
      `cannot parse ${options.path} as ${options.format}: ${(error as Error).message}`,
      {
        cause: error,
      },
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
  return { items, problems, description: `file ${options.path}` };
}

export function formatFromPath(path: string): 'jsonl' | 'csv' | undefined {
  const ext = extname(path).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  if (ext === '.csv') return 'csv';
  return undefined;
}
