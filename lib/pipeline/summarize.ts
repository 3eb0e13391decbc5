import pLimit from 'p-limit';
import { z } from 'zod';
import type { FacetSpecs } from '../config/facets.js';
import { failureCode, isFatal, type Llm } from '../llm/types.js';
import { type SummaryReply, summarizeTask } from '../prompts/summarize.js';
import type { Item } from '../sources/types.js';
import type { RecordCache } from '../store/types.js';
import { canonicalJson, hashParts } from '../util/hash.js';
import { ItemPrompts } from './item-prompts.js';
import {
  DEFAULT_PARTITION,
  type Failure,
  type ProgressReporter,
  type SummarizedItem,
  silentProgress,
} from './types.js';

export const cachedSummary = z.object({
  summary: z.string().min(1),
  partition: z.string(),
  /** Question facet answers; absent when the run asked none. */
  facets: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type CachedSummary = z.infer<typeof cachedSummary>;

/** What is cached of a summary reply, the same whether it came synchronously or by batch. */
export function summaryRecord(reply: SummaryReply): CachedSummary {
  return {
    summary: reply.summary,
    partition: reply.partition ?? DEFAULT_PARTITION,
    ...(reply.facets ? { facets: reply.facets } : {}),
  };
}

export type { TemplateGap } from './item-prompts.js';
export { TemplateGaps, templateGapWarning } from './item-prompts.js';

/**
 * The cache key of each item's summary for one LLM and these options. Message Batches mode uses
 * it too, so summaries made either way are reused by the other.
 */
export function summaryKeyFor(
  llmId: string,
  options: Pick<SummarizeOptions, 'template' | 'partitions' | 'facets'>,
): (item: Item) => string {
  const version = summarizeTask(options.partitions).version;
  // Facets join the key only when asked, so the caches of runs without them stay valid.
  const facets = options.facets && Object.keys(options.facets).length > 0 ? [options.facets] : [];
  const settingsKey = canonicalJson([
    llmId,
    version,
    options.template,
    options.partitions,
    ...facets,
  ]);
  return (item) => hashParts(settingsKey, canonicalJson(item));
}

export interface SummarizeOptions {
  readonly template: string;
  readonly partitions: Readonly<Record<string, string>> | null;
  /** Questions answered in the same call as the summary; none when absent. */
  readonly facets?: FacetSpecs;
  readonly concurrency: number;
  readonly progress?: ProgressReporter;
}

export interface SummarizeResult {
  /** In the order of the input items; failed items are absent here and listed in `failures`. */
  readonly summarized: SummarizedItem[];
  /** Items that failed, and items skipped for having no text (code `empty-item`). */
  readonly failures: Failure[];
  /** Template fields items lacked, items cut to fit the model's input. */
  readonly warnings: string[];
  /** How many summaries came from the cache instead of the model. */
  readonly reused: number;
}

/**
 * Summarizes every item through the LLM with bounded concurrency. A summary is cached under a
 * hash of the item, template, partitions, prompt version and model, so a re-run pays only for
 * items it has not finished. An item whose reply never validates is recorded as a failure.
 */
export async function summarizeItems(
  items: readonly Item[],
  deps: { readonly llm: Llm; readonly cache: RecordCache<CachedSummary> },
  options: SummarizeOptions,
): Promise<SummarizeResult> {
  const { llm, cache } = deps;
  const progress = options.progress ?? silentProgress;
  const task = summarizeTask(options.partitions, options.facets);
  const limit = pLimit(options.concurrency);
  const results: (SummarizedItem | undefined)[] = new Array(items.length);
  const failures: Failure[] = [];
  const prompts = new ItemPrompts(options.template, llm.promptBudget?.(task.kind));
  let reused = 0;
  let done = 0;
  const keyOf = summaryKeyFor(llm.id, options);

  progress.start('summarize', items.length);
  await Promise.all(
    items.map((item, index) =>
      limit(async () => {
        const prompt = prompts.prepare(item);
        const key = keyOf(item);
        // Skipped before the cache is asked: a filler summary an older version cached is not data.
        let record = 'skipped' in prompt ? undefined : cache.get(key);
        if ('skipped' in prompt) failures.push(prompt.skipped);
        else if (record) reused++;
        else {
          const { rendered } = prompt;
          try {
            const reply = await llm.run(task, { rendered, partitions: options.partitions });
            record = summaryRecord(reply.value);
            await cache.set(key, record);
          } catch (error) {
            // A spent budget or a rejected key fails every item alike: stop the stage instead.
            if (isFatal(error)) {
              limit.clearQueue();
              throw error;
            }
            const reason = (error as Error).message;
            failures.push({ stage: 'summarize', id: item.id, reason, code: failureCode(error) });
          }
        }
        if (record) results[index] = { item, ...record };
        progress.tick(++done);
      }),
    ),
  );
  progress.finish();

  return {
    summarized: results.filter((r): r is SummarizedItem => r !== undefined),
    failures,
    warnings: prompts.warnings(),
    reused,
  };
}
