import { z } from 'zod';
import { vectorFromBase64 } from '../../embed/cached.js';
import { addSummaries, emptySummary, type LedgerSummary } from '../../llm/ledger.js';
import type { Store } from '../../store/types.js';
import type { Failure, SummarizedItem } from '../types.js';
import { itemSchema, RUN_KEYS, readJson, summaryBatchSchema } from './layout.js';

export interface CollectedRun {
  /** In batch order, as the CLI would have them. */
  readonly items: SummarizedItem[];
  readonly vectors: Float32Array[];
  readonly failures: Failure[];
  readonly warnings: string[];
  /** What the Map's batches were billed. */
  readonly spend: LedgerSummary;
}

/** Joins every batch's items with its summaries and vectors, for the steps after the Map. */
export async function collectSummaries(store: Store): Promise<CollectedRun> {
  const batches = await readJson(
    store,
    RUN_KEYS.batchList,
    z.array(z.object({ batchKey: z.string() })),
  );
  const collected: CollectedRun = {
    items: [],
    vectors: [],
    failures: [],
    warnings: [],
    spend: emptySummary(),
  };
  let spend = emptySummary();
  for (const { batchKey } of batches) {
    const items = new Map(
      (await readJson(store, batchKey, z.array(itemSchema))).map((i) => [i.id, i]),
    );
    const text = await store.read(RUN_KEYS.summaryBatch(batchKey));
    if (text === undefined) {
      // The Map tolerated this batch's failure: its items are failures, the run goes on.
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
      collected.items.push({ item, summary: s.summary, partition: s.partition });
      collected.vectors.push(vectorFromBase64(s.vector));
    }
    collected.failures.push(...batch.failures);
    collected.warnings.push(...batch.warnings);
    spend = addSummaries(spend, batch.spend);
  }
  return { ...collected, spend };
}
