import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { emptyUsage } from '../llm/types.js';
import { type RunInfo, runInfoSchema } from '../output/hierarchy-schema.js';
import type { Store } from '../store/types.js';

export const RUN_RECORD = 'run.json';

/** `run.json`: the run's status and bookkeeping, rewritten after every stage. */
export const runRecordSchema = runInfoSchema.extend({
  status: z.enum(['running', 'done', 'failed']),
  stage: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

export async function writeRunRecord(store: Store, record: RunRecord): Promise<void> {
  await store.write(RUN_RECORD, `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRunRecord(store: Store): Promise<RunRecord | undefined> {
  const text = await store.read(RUN_RECORD);
  if (text === undefined) return undefined;
  return runRecordSchema.parse(JSON.parse(text));
}

/**
 * A run id that sorts by time and says which config it ran, `20261125T114218Z-84e632-1f0a`: the
 * random tail keeps two runs of one config started in the same second (an upload and a manual
 * start on AWS) from sharing a folder.
 */
export function makeRunId(now: Date, digest: string): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${digest.slice(0, 6)}-${randomBytes(2).toString('hex')}`;
}

/** A fresh record for a run that is starting. */
export function newRunRecord(fields: {
  readonly startedAt: Date;
  readonly digest: string;
  readonly hierarchy: number[];
  readonly partitions: Record<string, string> | null;
  readonly llm: string;
  readonly embedder: string;
}): RunRecord {
  return {
    runId: makeRunId(fields.startedAt, fields.digest),
    createdAt: fields.startedAt.toISOString(),
    configDigest: fields.digest,
    source: '',
    window: null,
    hierarchy: fields.hierarchy,
    partitions: fields.partitions,
    llm: fields.llm,
    embedder: fields.embedder,
    counts: { loaded: 0, sampled: 0, summarized: 0, failed: 0, clustered: 0, withheld: 0 },
    usage: emptyUsage(),
    costUsd: 0,
    costByStage: {},
    failures: [],
    warnings: [],
    timingsMs: {},
    status: 'running',
    stage: 'load',
    finishedAt: null,
    error: null,
  };
}

/** Adds failures to the record, keeping `counts.failed` (items that could not be summarized or embedded) in step. */
export function recordFailures(
  record: RunRecord,
  failures: readonly RunRecord['failures'][number][],
): void {
  record.failures.push(...failures);
  record.counts.failed = record.failures.filter(
    (f) => f.stage === 'summarize' || f.stage === 'embed',
  ).length;
}

/** The run info `hierarchy.json` carries: the run record without its live status, copied. */
export function runInfo(record: RunRecord): RunInfo {
  const { status: _s, stage: _st, finishedAt: _f, error: _e, ...info } = structuredClone(record);
  return info;
}

/** Adds a stage's cost to the record (no entry when the provider cannot price it). */
export function recordCost(record: RunRecord, stage: string, usd: number | undefined): void {
  if (usd === undefined) return;
  record.costByStage[stage] = (record.costByStage[stage] ?? 0) + usd;
  record.costUsd = Object.values(record.costByStage).reduce((a, b) => a + b, 0);
}
