import type { Item } from '../types.js';

/** How a file's rows map to items; defaults follow LangSmith's example shape. */
export interface RowMapping {
  readonly idField: string;
  /** Whether the config named `idField` (rather than the default `id`): then it must exist. */
  readonly idFieldGiven?: boolean;
  readonly labelField: string;
  readonly inputsField?: string | undefined;
  readonly outputsField?: string | undefined;
  readonly metadataField?: string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A parsed row becomes an item: a row with `inputs` (and maybe `outputs`, `metadata`) is taken
 * as it is, any other row becomes `inputs` whole, minus its id and label.
 */
const hasId = (value: unknown) => value !== undefined && value !== null && value !== '';

/** Which rows lack the id field, and the fields rows do have, for a message when none has it. */
export function idFieldCheck(
  rows: readonly Record<string, unknown>[],
  mapping: Pick<RowMapping, 'idField'>,
): { absentEverywhere: boolean; missingAt: number[]; fields: string[] } {
  const missingAt: number[] = [];
  rows.forEach((row, index) => {
    if (!hasId(row[mapping.idField])) missingAt.push(index);
  });
  const fields = [...new Set(rows.slice(0, 20).flatMap((row) => Object.keys(row)))].slice(0, 12);
  return {
    absentEverywhere: rows.length > 0 && missingAt.length === rows.length,
    missingAt,
    fields,
  };
}

export function rowToItem(row: Record<string, unknown>, line: number, mapping: RowMapping): Item {
  const { idField, labelField } = mapping;
  const rawId = row[idField];
  const id = hasId(rawId) ? String(rawId) : String(line);
  const label = row[labelField];

  let inputs: unknown;
  let outputs: unknown;
  let metadata: Record<string, unknown> = {};
  if (mapping.inputsField) {
    inputs = row[mapping.inputsField];
    outputs = mapping.outputsField ? row[mapping.outputsField] : undefined;
    const meta = mapping.metadataField ? row[mapping.metadataField] : undefined;
    if (isRecord(meta)) metadata = { ...meta };
  } else if ('inputs' in row) {
    inputs = row.inputs;
    outputs = row.outputs;
    if (isRecord(row.metadata)) metadata = { ...row.metadata };
  } else {
    const { [idField]: _id, [labelField]: _label, ...rest } = row;
    inputs = rest;
  }
  if (label !== undefined && label !== null && label !== '') metadata.label = String(label);
  return outputs === undefined ? { id, inputs, metadata } : { id, inputs, outputs, metadata };
}

/** CSV cells are strings; a cell holding a JSON object or array is read as that value. */
export function parseCell(cell: string): unknown {
  const trimmed = cell.trim();
  if (
    (trimmed.startsWith('{') && trimmed.endsWith('}')) ||
    (trimmed.startsWith('[') && trimmed.endsWith(']'))
  ) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return cell;
    }
  }
  return cell;
}
