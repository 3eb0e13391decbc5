import type { DynamoHierarchy, ListRunsOptions, StoredRun } from '../store/dynamo-hierarchy.js';
import { oneLine } from '../util/terminal-text.js';

/** One run as `open-clio runs` lists it; also the `--json` shape, one object per run. */
export interface RunRow {
  readonly runId: string;
  readonly createdAt: string;
  readonly status: StoredRun['status'];
  readonly stage: string;
  /** Items in the run (after sampling). */
  readonly items: number;
  readonly costUsd: number;
  readonly configKey: string | null;
  readonly durationMs: number | null;
  readonly error: string | null;
}

export const runRow = (run: StoredRun): RunRow => ({
  runId: run.runId,
  createdAt: run.createdAt,
  status: run.status,
  stage: run.stage,
  items: run.counts.sampled,
  costUsd: run.costUsd,
  configKey: run.configKey ?? null,
  durationMs: run.durationMs,
  error: run.error,
});

/** Recent runs, newest first, from the table's `runs-by-time` index. */
export async function listRemoteRuns(
  runs: Pick<DynamoHierarchy, 'listRuns'>,
  options: ListRunsOptions = {},
): Promise<RunRow[]> {
  return (await runs.listRuns(options)).map(runRow);
}

const duration = (ms: number | null) => {
  if (ms === null) return '';
  const s = Math.round(ms / 1000);
  return s < 60
    ? `${s}s`
    : s < 3600
      ? `${Math.floor(s / 60)}m${s % 60}s`
      : `${(s / 3600).toFixed(1)}h`;
};

/** items, cost, took: right-aligned. */
const NUMERIC_COLUMNS = new Set([3, 4, 5]);

/** A plain table for a terminal: one line per run, failures with their reason underneath. */
export function formatRunRows(rows: readonly RunRow[], stackName: string): string {
  if (rows.length === 0) return `No runs in stack ${stackName} yet.`;
  const table = [
    ['run', 'created', 'status', 'items', 'cost', 'took', 'config'],
    ...rows.map((r) => [
      r.runId,
      r.createdAt.replace(/\.\d+Z$/, 'Z'),
      r.status === 'running' ? `running (${r.stage})` : r.status,
      String(r.items),
      `$${r.costUsd.toFixed(2)}`,
      duration(r.durationMs),
      r.configKey ?? '',
    ]),
  ].map((row) => row.map(oneLine)); // config keys and stages come from uploads: one line each
  const widths =
    table[0]?.map((_, i) => Math.max(...table.map((row) => row[i]?.length ?? 0))) ?? [];
  const lines: string[] = [];
  table.forEach((row, i) => {
    const pad = (cell: string, j: number) =>
      NUMERIC_COLUMNS.has(j) ? cell.padStart(widths[j] ?? 0) : cell.padEnd(widths[j] ?? 0);
    lines.push(row.map(pad).join('  ').trimEnd());
    const error = i > 0 ? oneLine(rows[i - 1]?.error ?? '') : '';
    if (error) lines.push(`    ${error.length > 200 ? `${error.slice(0, 199)}…` : error}`);
  });
  return lines.join('\n');
}
