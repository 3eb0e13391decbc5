import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { LedgerSummary } from '../llm/ledger.js';
import { addUsage, emptyUsage, type TaskKind } from '../llm/types.js';
import { type RunInfo, runInfoSchema } from '../output/hierarchy-schema.js';
import type { Store } from '../store/types.js';
import { ClioError } from '../util/errors.js';

export const RUN_RECORD = 'run.json';

/**
 * How a run ended, or that it has not. `stopped`: it spent its `llm.budget_usd`; `interrupted`:
 * Ctrl-C or SIGTERM ended a local run, `stage` says where. Both: `error` says so, and a re-run
 * resumes from the caches.
 */
export const RUN_STATUSES = ['running', 'done', 'failed', 'stopped', 'interrupted'] as const;

/** `run.json`: the run's status and bookkeeping, rewritten after every stage. */
export const runRecordSchema = runInfoSchema.extend({
  status: z.enum(RUN_STATUSES),
  stage: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
  /**
   * The Summarize batches' failures and bill are in the record: a retried ClusterLevel 0 must
   * not add them twice.
   */
  summariesFolded: z.boolean().optional(),
  /**
   * The spend already counted in the deployment's metrics (by MarkFailed, CloseRun or Finalize):
   * a run that failed, was redriven and then finished reports only what it spent since.
   */
  reported: z
    .object({ costUsd: z.number(), inputTokens: z.number(), outputTokens: z.number() })
    .optional(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

export const runRecordText = (record: RunRecord) => `${JSON.stringify(record, null, 2)}\n`;

export async function writeRunRecord(store: Store, record: RunRecord): Promise<void> {
  await store.write(RUN_RECORD, runRecordText(record));
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
    counts: {
      loaded: 0,
      sampled: 0,
      summarized: 0,
      failed: 0,
      clustered: 0,
      withheld: 0,
      refused: 0,
    },
    usage: emptyUsage(),
    costUsd: 0,
    costByStage: {},
    unpricedModels: [],
    failures: [],
    warnings: [],
    timingsMs: {},
    status: 'running',
    stage: 'load',
    finishedAt: null,
    error: null,
  };
}

/**
 * Adds failures to the record, keeping `counts.failed` (items that could not be summarized or
 * embedded) and `counts.skipped` (items with no text to summarize) in step.
 */
export function recordFailures(
  record: RunRecord,
  failures: readonly RunRecord['failures'][number][],
): void {
  record.failures.push(...failures);
  const items = record.failures.filter((f) => f.stage === 'summarize' || f.stage === 'embed');
  record.counts.failed = items.filter((f) => f.code !== 'empty-item').length;
  record.counts.refused = record.failures.filter((f) => f.code === 'refusal').length;
  const skipped = items.length - record.counts.failed;
  if (skipped > 0) record.counts.skipped = skipped;
}

/** The run info `hierarchy.json` carries: the run record without its live status, copied. */
export function runInfo(record: RunRecord): RunInfo {
  const {
    status: _s,
    stage: _st,
    finishedAt: _f,
    error: _e,
    summariesFolded: _sf,
    reported: _r,
    ...info
  } = structuredClone(record);
  return info;
}

/**
 * A run's provider and embedder are fixed when it starts: a later step that would use others (a
 * key set or removed mid-run, a changed config) fails the run instead of mixing them.
 */
export function assertSameProviders(
  record: Pick<RunRecord, 'runId' | 'llm' | 'embedder'>,
  ids: { readonly llm: string; readonly embedder: string },
): void {
  for (const what of ['llm', 'embedder'] as const) {
    if (record[what] !== ids[what]) {
      throw new ClioError(
        `run ${record.runId} started with ${what} ${record[what]}, but this step would use ${ids[what]}: a key or the config changed mid-run; start a new run`,
      );
    }
  }
}

/** LLM spend as the deployment's metrics count it. */
export interface Spend {
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/**
 * What the run spent since its spend was last reported, marking all of it reported: the step
 * that ends a run (failed or done) reports this, so every dollar is counted once however often
 * the run ends and is redriven.
 */
export function takeUnreportedSpend(record: RunRecord): Spend {
  const before = record.reported ?? { costUsd: 0, inputTokens: 0, outputTokens: 0 };
  const now = {
    costUsd: record.costUsd,
    inputTokens: record.usage.inputTokens,
    outputTokens: record.usage.outputTokens,
  };
  record.reported = now;
  return {
    costUsd: now.costUsd - before.costUsd,
    inputTokens: now.inputTokens - before.inputTokens,
    outputTokens: now.outputTokens - before.outputTokens,
  };
}

/** The status a run ends with after `error`: a spent budget stops it, anything else fails it. */
export const endStatus = (error: unknown): 'failed' | 'stopped' =>
  (error as { name?: unknown } | null)?.name === 'BudgetExceededError' ? 'stopped' : 'failed';

/** The stage of `costByStage` each kind of task is billed to. */
const STAGE_OF_KIND: Record<TaskKind, string> = {
  summarize: 'summarize',
  name: 'cluster',
  group: 'cluster',
  judge: 'judge',
  audit: 'privacy audit',
};

/**
 * Adds what a ledger recorded to the record: usage, cost per stage, and the models whose price
 * is unknown (their tokens are counted, their cost is not, and the record says so).
 */
export function addSpend(record: RunRecord, spend: LedgerSummary, stage?: string): void {
  record.usage = addUsage(record.usage, spend.usage);
  for (const [kind, { costUsd, usage }] of Object.entries(spend.byKind)) {
    if (usage.requests === 0) continue;
    const name = stage ?? STAGE_OF_KIND[kind as TaskKind];
    record.costByStage[name] = (record.costByStage[name] ?? 0) + costUsd;
  }
  record.costUsd = Object.values(record.costByStage).reduce((a, b) => a + b, 0);
  record.unpricedModels = [
    ...new Set([...(record.unpricedModels ?? []), ...spend.unpriced]),
  ].sort();
}

/** Makes the record's spend exactly the ledger's (a run that keeps one ledger throughout). */
export function setSpend(record: RunRecord, spend: LedgerSummary): void {
  record.usage = emptyUsage();
  record.costByStage = {};
  record.costUsd = 0;
  record.unpricedModels = [];
  addSpend(record, spend);
}

/** The sentence a run's cost reads as, never "$0" for a model whose price is unknown. */
export function describeCost(info: Pick<RunRecord, 'costUsd' | 'unpricedModels'>): string {
  const unknown = info.unpricedModels ?? [];
  const known = `$${info.costUsd.toFixed(2)}`;
  if (unknown.length === 0) return known;
  return `${known} + price unknown for ${unknown.join(', ')} (set llm.prices)`;
}
