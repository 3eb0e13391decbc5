import { z } from 'zod';
import { type ClusterNode, type Level, WITHHELD_REASONS } from '../../cluster/types.js';
import { vectorFromBase64, vectorToBase64 } from '../../embed/cached.js';
import { TASK_KINDS } from '../../llm/types.js';
import { failureSchema } from '../../output/hierarchy-schema.js';
import { withPrefix } from '../../store/prefixed.js';
import type { Store } from '../../store/types.js';
import { canonicalJson, hashParts } from '../../util/hash.js';

/** Keys of a run's artifacts, relative to `runs/<runId>/`. */
export const RUN_KEYS = {
  config: 'config.json',
  batchList: 'items/batches.json',
  itemBatch: (n: number) => `items/batch-${String(n).padStart(5, '0')}.json`,
  summaryBatch: (itemBatchKey: string) => itemBatchKey.replace(/^items\//, 'summaries/'),
  /** What a batch's earlier invocations were billed, while its Message Batches are pending. */
  pendingSpend: (itemBatchKey: string) => itemBatchKey.replace(/^items\//, 'summaries/pending-'),
  level: (level: number) => `levels/level-${level}.json`,
  /** The names and groupings one level's step was given, kept so a retried level pays once. */
  levelReplies: (level: number) => `cache/level-${level}-replies.json`,
} as const;

/** The `runs/<runId>/` prefix of the artifacts store: a run's store on AWS. */
export const runStore = (artifacts: Store, runId: string) => withPrefix(artifacts, `runs/${runId}`);

/**
 * Where the runs of one uploaded config follow each other on AWS (each run has a prefix of its
 * own): the latest run's hierarchy and centroids, whose clusters lend their keys to the next
 * run, and the history that `trends` reads. What a local save_path is to its runs. Under `runs/`
 * for the functions' grants; `_configs` cannot be a run id.
 */
export function configHomeStore(artifacts: Store, configKey: string): Store {
  const name = configKey
    .replace(/^configs\//, '')
    .replace(/\.json$/i, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .slice(0, 80);
  // Two keys that clean up alike (`a b.json`, `a_b.json`) keep apart.
  return withPrefix(artifacts, `runs/_configs/${name}-${hashParts(configKey).slice(0, 8)}`);
}

/** The store of one run, as the executor lays runs out. */
export const storeOfRun = (
  deps: { readonly artifacts: Store; readonly runStore?: (runId: string) => Store },
  runId: string,
) => deps.runStore?.(runId) ?? runStore(deps.artifacts, runId);

/**
 * The summary cache of one batch, shared by every run (relative to the artifacts bucket): named
 * by the model, prompt, partitions and the batch's items, so a retried Map child and a re-run of
 * the same config find the summaries already paid for. The records inside are keyed by item
 * content, so a reused object never serves a stale summary. Under `runs/` for the functions'
 * grants, and tagged intermediate like the other batch artifacts.
 */
export function summaryCacheKey(
  llmId: string,
  settings: { readonly template: string; readonly partitions: unknown },
  itemIds: readonly string[],
): string {
  const name = hashParts(llmId, settings.template, canonicalJson(settings.partitions), ...itemIds);
  return `runs/_cache/summaries/${name.slice(0, 40)}.json`;
}

/**
 * The embedding cache of one batch, shared by every run like the summary cache: named by the
 * embedder and the batch's items; the vectors inside are keyed by text.
 */
export function embeddingCacheKey(embedderId: string, itemIds: readonly string[]): string {
  return `runs/_cache/embeddings/${hashParts(embedderId, ...itemIds).slice(0, 40)}.json`;
}

const usageSchema = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  requests: z.number(),
});

export const ledgerSummarySchema = z.object({
  usage: usageSchema,
  costUsd: z.number(),
  unpriced: z.array(z.string()),
  byKind: z.partialRecord(
    z.enum(TASK_KINDS),
    z.object({ usage: usageSchema, costUsd: z.number() }),
  ),
});

export const itemSchema = z.object({
  id: z.string(),
  inputs: z.unknown(),
  outputs: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()),
});

export const summaryBatchSchema = z.object({
  summaries: z.array(
    z.object({
      id: z.string(),
      summary: z.string(),
      partition: z.string(),
      /** Absent until ClusterLevel 0 embeds all of a run's summaries with a contextual embedder. */
      vector: z.string().optional(),
      /** Absent in batches written before facets. */
      facets: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    }),
  ),
  failures: z.array(failureSchema),
  warnings: z.array(z.string()),
  /** What the batch's ledger was billed, failed calls included. */
  spend: ledgerSummarySchema,
  /** Set when the run's budget ran out during this batch: why the run stops. */
  stopped: z.string().optional(),
});
export type SummaryBatch = z.infer<typeof summaryBatchSchema>;

const clusterSchema = z.object({
  level: z.number().int(),
  id: z.number().int(),
  name: z.string(),
  description: z.string(),
  partition: z.string(),
  children: z.array(z.number().int()),
  itemIndices: z.array(z.number().int()),
  centroid: z.string(),
  parent: z.number().int().optional(),
  withheld: z.enum(WITHHELD_REASONS).optional(),
});

/** Reads and validates a JSON artifact; a missing one is an error naming the key. */
export async function readJson<T>(store: Store, key: string, schema: z.ZodType<T>): Promise<T> {
  const text = await store.read(key);
  if (text === undefined) throw new Error(`missing artifact ${store.location}${key}`);
  return schema.parse(JSON.parse(text));
}

export function writeJson(store: Store, key: string, value: unknown): Promise<void> {
  return store.write(key, JSON.stringify(value));
}

export const writeLevel = (store: Store, index: number, level: Level) =>
  writeJson(
    store,
    RUN_KEYS.level(index),
    level.map((c) => ({ ...c, centroid: vectorToBase64(c.centroid) })),
  );

export async function readLevel(store: Store, index: number): Promise<Level> {
  const records = await readJson(store, RUN_KEYS.level(index), z.array(clusterSchema));
  return records.map((c): ClusterNode => ({ ...c, centroid: vectorFromBase64(c.centroid) }));
}
