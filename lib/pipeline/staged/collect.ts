import { z } from 'zod';
import { SharedRows } from '../../cluster/kmeans-input.js';
import { vectorFromBase64, vectorToBase64 } from '../../embed/cached.js';
import type { Embedder } from '../../embed/types.js';
import { addSummaries, emptySummary, type LedgerSummary } from '../../llm/ledger.js';
import type { Store } from '../../store/types.js';
import { embedTexts } from '../embed.js';
import { describeWork } from '../reporting.js';
import type { Failure, ProgressReporter, SummarizedItem } from '../types.js';
import {
  itemSchema,
  RUN_KEYS,
  readJson,
  type SummaryBatch,
  summaryBatchSchema,
  writeJson,
} from './layout.js';

export interface CollectedRun {
  /** In batch order, as the CLI would have them. */
  readonly items: SummarizedItem[];
  readonly vectors: Float32Array[];
  readonly failures: Failure[];
  readonly warnings: string[];
  /** What the Map's batches were billed. */
  readonly spend: LedgerSummary;
  /** Why the run stopped during Summarize (its budget ran out), if it did. */
  readonly stopped?: string | undefined;
  /** Batches the Map tolerated the failure of (no summaries written): their items are failures. */
  readonly failedBatches: number;
}

/** The run's batch list: the item batches Prepare wrote. */
const readBatchList = (store: Store) =>
  readJson(store, RUN_KEYS.batchList, z.array(z.object({ batchKey: z.string() })));

/**
 * Embeds every summary of the run that has no vector yet in ONE call, so a contextual embedder
 * (fitted on its input) puts the whole run in one space, and writes the vectors back into the
 * batches. Does nothing when the Summarize batches embedded already.
 */
export async function embedMissingVectors(
  store: Store,
  embedder: Embedder,
  progress?: ProgressReporter,
): Promise<number> {
  const batches: { key: string; batch: SummaryBatch }[] = [];
  for (const { batchKey } of await readBatchList(store)) {
    const key = RUN_KEYS.summaryBatch(batchKey);
    const text = await store.read(key);
    if (text !== undefined)
      batches.push({ key, batch: summaryBatchSchema.parse(JSON.parse(text)) });
  }
  const missing = batches.flatMap(({ batch }) => batch.summaries.filter((s) => !s.vector));
  if (missing.length === 0) return 0;
  const texts = missing.map((s) => s.summary);
  const { vectors, reused } = await embedTexts(texts, embedder, progress ? { progress } : {});
  progress?.info(describeWork(texts.length, 'embeddings', { cached: reused }));
  missing.forEach((s, i) => {
    s.vector = vectorToBase64(vectors[i] as Float32Array);
  });
  for (const { key, batch } of batches) await writeJson(store, key, batch);
  return missing.length;
}

/**
 * Joins every batch's items with its summaries and vectors, for the steps after the Map. The
 * vectors land in one shared buffer sized for `expectedItems` (the run's sampled count), which
 * k-means then reads without a second copy.
 */
export async function collectSummaries(store: Store, expectedItems = 0): Promise<CollectedRun> {
  const batches = await readBatchList(store);
  const collected: CollectedRun = {
    items: [],
    vectors: [],
    failures: [],
    warnings: [],
    spend: emptySummary(),
    failedBatches: 0,
  };
  let spend = emptySummary();
  let stopped: string | undefined;
  let failedBatches = 0;
  const vectors = new SharedRows(expectedItems);
  for (const { batchKey } of batches) {
    const items = new Map(
      (await readJson(store, batchKey, z.array(itemSchema))).map((i) => [i.id, i]),
    );
    const text = await store.read(RUN_KEYS.summaryBatch(batchKey));
    if (text === undefined) {
      // The Map tolerated this batch's failure: its items are failures, the run goes on.
      failedBatches++;
      for (const id of items.keys()) {
        collected.failures.push({
          stage: 'summarize',
          id,
          reason: `batch ${batchKey} failed after its retries`,
        });
      }
      continue;
    }
    const batch = summaryBatchSchema.parse(JSON.parse(text));
    for (const s of batch.summaries) {
      const item = items.get(s.id);
      if (!item)
        throw new Error(
          `${RUN_KEYS.summaryBatch(batchKey)} names item ${s.id}, which ${batchKey} lacks`,
        );
      if (s.vector === undefined) {
        throw new Error(`${RUN_KEYS.summaryBatch(batchKey)}: summary ${s.id} has no vector yet`);
      }
      collected.items.push({
        item,
        summary: s.summary,
        partition: s.partition,
        ...(s.facets ? { facets: s.facets } : {}),
      });
      vectors.append(vectorFromBase64(s.vector));
    }
    collected.failures.push(...batch.failures);
    collected.warnings.push(...batch.warnings);
    spend = addSummaries(spend, batch.spend);
    stopped ??= batch.stopped;
  }
  return { ...collected, vectors: vectors.rows(), spend, stopped, failedBatches };
}
