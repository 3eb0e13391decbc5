import { z } from 'zod';
import { type ClioConfig, parseConfig } from '../../config/index.js';
import { CachedEmbedder, vectorToBase64 } from '../../embed/cached.js';
import type { Embedder } from '../../embed/types.js';
import { itemFacets } from '../../facets/builtin.js';
import { askedQuestionFacets } from '../../facets/questions.js';
import { addSummaries, BudgetExceededError, emptySummary } from '../../llm/ledger.js';
import { StoreRecordCache } from '../../store/store-cache.js';
import type { Store } from '../../store/types.js';
import { ClioError } from '../../util/errors.js';
import { embedTexts } from '../embed.js';
import { describeWork } from '../reporting.js';
import { assertSameProviders, readRunRecord } from '../run-record.js';
import { cachedSummary, summarizeItems } from '../summarize.js';
import { BatchPendingError, summarizeItemsInBatch } from '../summarize-batch.js';
import type { StagedDeps } from './deps.js';
import {
  embeddingCacheKey,
  itemSchema,
  ledgerSummarySchema,
  RUN_KEYS,
  readJson,
  type SummaryBatch,
  storeOfRun,
  summaryCacheKey,
  writeJson,
} from './layout.js';
import type { SummarizeBatchInput, SummarizeBatchOutput } from './types.js';

const pendingSpendSchema = z.object({ runId: z.string(), spend: ledgerSummarySchema });

export const summarizeBatchInputSchema = z.object({
  runId: z.string().min(1),
  batchKey: z.string().min(1),
});

/** The validated config Prepare stored with the run. */
export async function readRunConfig(store: Store): Promise<ClioConfig> {
  const raw = await readJson(store, RUN_KEYS.config, z.record(z.string(), z.unknown()));
  return parseConfig(raw, { file: RUN_KEYS.config, dir: '/' });
}

/** Embeds through the batch's embedding cache, so a re-run of the same items pays nothing again. */
async function embedCached(
  texts: readonly string[],
  embedder: Embedder,
  at: { artifacts: Store; key: string },
) {
  const cache = await StoreRecordCache.open(at.artifacts, at.key, z.string());
  try {
    return await embedTexts(texts, new CachedEmbedder(embedder, cache));
  } finally {
    await cache.close();
  }
}

/**
 * Summarize one batch (a Map child, or one step of the in-process executor): every item through
 * the LLM (or Message Batches) with a cache that a retried invocation resumes from, then, unless
 * the executor embeds in ClusterLevel 0 or the embedder is contextual, the batch's summaries
 * embedded here, in parallel with the other batches.
 */
export async function summarizeBatch(
  input: SummarizeBatchInput,
  deps: StagedDeps,
): Promise<SummarizeBatchOutput> {
  const store = storeOfRun(deps, input.runId);
  const config = await readRunConfig(store);
  const items = await readJson(store, input.batchKey, z.array(itemSchema));
  const record = await readRunRecord(store);
  if (!record) throw new ClioError(`run ${input.runId} has no run record`);
  const embedder = deps.createEmbedder(config);
  const llm = deps.createLlm(config, embedder, { runId: input.runId });
  assertSameProviders(record, { llm: llm.id, embedder: embedder.id });
  const cacheKey = summaryCacheKey(
    llm.id,
    { template: config.summary_prompt, partitions: config.partitions },
    items.map((item) => item.id),
  );
  const cache = await (deps.openSummaryCache?.(cacheKey) ??
    StoreRecordCache.open(deps.artifacts, cacheKey, cachedSummary));
  const batches = config.llm.batch ? deps.createSummaryBatches?.(config, llm) : undefined;
  // A step whose Message Batches are still processing ends and is invoked again: what the earlier
  // invocations of this run were billed is carried over, so the batch's bill is whole.
  const carriedKey = RUN_KEYS.pendingSpend(input.batchKey);
  const carriedText = await store.read(carriedKey);
  const carriedRecord = carriedText ? pendingSpendSchema.parse(JSON.parse(carriedText)) : undefined;
  const carried = carriedRecord?.runId === input.runId ? carriedRecord.spend : emptySummary();
  const options = {
    template: config.summary_prompt,
    partitions: config.partitions,
    // The offline provider answers no questions: the run says so (skippedQuestionFacets).
    facets: askedQuestionFacets(config.facets, llm),
    concurrency: config.max_concurrency,
    progress: deps.progress,
  };
  try {
    const result = await (batches
      ? summarizeItemsInBatch(
          items,
          { client: batches, cache, store },
          {
            ...options,
            stateKey: `batches/${input.batchKey.replace(/^items\//, '')}`,
            waitForResults: deps.waitForBatchResults ?? true,
          },
        )
      : summarizeItems(items, { llm, cache }, options)
    ).catch(async (error: unknown) => {
      if (error instanceof BatchPendingError) {
        const spend = addSummaries(carried, llm.ledger.summary());
        await writeJson(store, carriedKey, { runId: input.runId, spend });
        throw error;
      }
      // The run's budget is spent: not this batch's failure. What finished is cached; the
      // batch says the run stopped and what it was billed, and ClusterLevel stops the run.
      if (!(error instanceof BudgetExceededError)) throw error;
      const stopped: SummaryBatch = {
        summaries: [],
        failures: [],
        warnings: [],
        spend: addSummaries(carried, llm.ledger.summary()),
        stopped: error.message,
      };
      await writeJson(store, RUN_KEYS.summaryBatch(input.batchKey), stopped);
      if (carriedRecord) {
        await writeJson(store, carriedKey, { runId: input.runId, spend: stopped.spend });
      }
      return undefined;
    });
    if (!result) return { summarized: 0, failed: 0, reused: 0 };
    const skipped = result.failures.filter((f) => f.code === 'empty-item').length;
    const failed = result.failures.length - skipped;
    deps.progress?.info(
      describeWork(items.length, 'summaries', { cached: result.reused, failed, skipped }),
    );
    // A contextual embedder (TF-IDF) is fitted on its input: fitted per batch, batches would
    // land in different spaces. ClusterLevel 0 embeds the whole run at once for it instead.
    const embedHere = !embedder.contextual && (deps.embedIn ?? 'summarize') === 'summarize';
    const { vectors } = embedHere
      ? await embedCached(
          result.summarized.map((s) => s.summary),
          embedder,
          {
            artifacts: deps.artifacts,
            key: embeddingCacheKey(
              embedder.id,
              items.map((i) => i.id),
            ),
          },
        )
      : { vectors: [] };
    // Computed on every run, not cached: the item alone decides them, so they never go stale.
    const facetsOf = await itemFacets();
    const batch: SummaryBatch = {
      summaries: result.summarized.map((s, i) => ({
        id: s.item.id,
        summary: s.summary,
        partition: s.partition,
        facets: facetsOf(s.item, s.facets),
        ...(vectors[i] ? { vector: vectorToBase64(vectors[i]) } : {}),
      })),
      failures: result.failures,
      warnings: result.warnings,
      spend: addSummaries(carried, llm.ledger.summary()),
    };
    await writeJson(store, RUN_KEYS.summaryBatch(input.batchKey), batch);
    // A retry of a finished step pays nothing more (all cached) and must still report the bill.
    if (carriedRecord)
      await writeJson(store, carriedKey, { runId: input.runId, spend: batch.spend });
    return { summarized: batch.summaries.length, failed, reused: result.reused };
  } finally {
    await cache.close();
    await embedder.close();
  }
}
