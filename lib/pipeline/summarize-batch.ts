import type { MessageBatchIndividualResponse } from '@anthropic-ai/sdk/resources/messages';
import { z } from 'zod';
import { type BatchLimits, type ClaudeBatches, splitBatches } from '../llm/batch.js';
import {
  estimateTokens,
  mechanismFor,
  modelFor,
  promptBudgetFor,
  promptText,
  readTaskReply,
  usageOf,
} from '../llm/claude-request.js';
import { BudgetExceededError, type Reservation } from '../llm/ledger.js';
import { modelProfile } from '../llm/models.js';
import type { FailureCode } from '../llm/types.js';
import { type SummarizeInput, summarizeTask } from '../prompts/summarize.js';
import type { Item } from '../sources/types.js';
import type { RecordCache, Store } from '../store/types.js';
import { errorStatus } from '../util/retry.js';
import { ItemPrompts } from './item-prompts.js';
import {
  type CachedSummary,
  type SummarizeOptions,
  type SummarizeResult,
  summaryKeyFor,
  summaryRecord,
} from './summarize.js';
import { type Failure, type SummarizedItem, silentProgress } from './types.js';

/** Where the submitted batches are remembered, so a restarted run polls them instead of paying twice. */
export const BATCH_STATE_KEY = 'batches/summaries.json';

const batchRecord = z.object({
  id: z.string(),
  /** The provider id the batch was built for; another model's batch is not resumed. */
  llm: z.string(),
  status: z.enum(['submitted', 'folded']),
  submittedAt: z.string(),
  /** The requests' custom_ids, which are the summaries' cache keys. */
  keys: z.array(z.string()),
  /**
   * USD held on a shared budget account for each request until its result is charged, so a
   * later invocation (a Step Functions retry) settles holds that an earlier one made.
   */
  held: z.record(z.string(), z.number()).optional(),
});
const batchState = z.object({ version: z.literal(1), batches: z.array(batchRecord) });
type BatchRecord = z.infer<typeof batchRecord>;
type BatchState = z.infer<typeof batchState>;

/**
 * Message Batches are still processing and the caller asked not to wait: come back later. The
 * state machine retries this name on a fixed timer (a wait that keeps no Lambda running).
 */
export class BatchPendingError extends Error {
  override name = 'BatchPending';
}

export interface SummarizeBatchOptions extends SummarizeOptions {
  /** False: check each batch once and throw `BatchPendingError` if any is unfinished. Default true. */
  readonly waitForResults?: boolean;
  /** Between status checks of an unfinished batch. Default 30 s (batches take minutes to hours). */
  readonly pollIntervalMs?: number;
  /** The API's per-batch limits; smaller in tests. */
  readonly limits?: BatchLimits;
  readonly stateKey?: string;
}

export interface SummarizeBatchDeps {
  readonly client: ClaudeBatches;
  readonly cache: RecordCache<CachedSummary>;
  readonly store: Store;
}

async function loadState(store: Store, key: string): Promise<BatchState> {
  const text = await store.read(key);
  if (text === undefined) return { version: 1, batches: [] };
  const parsed = batchState.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(
      `${store.location}/${key} is not a batch state file; move it away to start over`,
    );
  }
  return parsed.data;
}

async function batchIsGone(client: ClaudeBatches, id: string): Promise<boolean> {
  try {
    await client.retrieve(id);
    return false;
  } catch (error) {
    if (errorStatus(error) === 404) return true;
    throw error;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function failureReason(result: MessageBatchIndividualResponse['result'], batchId: string): string {
  switch (result.type) {
    case 'errored': {
      const { type, message } = result.error.error;
      return `batch ${batchId}: the request failed: ${type}: ${message}`;
    }
    case 'expired':
      return `batch ${batchId}: the request expired before it was processed`;
    case 'canceled':
      return `batch ${batchId}: the batch was canceled before this request ran`;
    default:
      return `batch ${batchId}: unexpected result ${JSON.stringify(result.type)}`;
  }
}

/**
 * `summarizeItems` through Message Batches: half the price, results within 24 hours. Every
 * uncached item becomes one request whose custom_id is its cache key (64 hex digits, which the
 * API's [a-zA-Z0-9_-]{1,64} allows; identical items share one request). Each batch id is stored
 * before polling starts, so a restarted run resumes polling it rather than submitting again.
 * Replies are validated like the synchronous provider's but not corrected: an invalid,
 * errored or expired request is a failure with its reason, and is submitted again next run.
 */
export async function summarizeItemsInBatch(
  items: readonly Item[],
  deps: SummarizeBatchDeps,
  options: SummarizeBatchOptions,
): Promise<SummarizeResult> {
  const { client, cache, store } = deps;
  const progress = options.progress ?? silentProgress;
  const stateKey = options.stateKey ?? BATCH_STATE_KEY;
  const task = summarizeTask(options.partitions, options.facets);
  const model = modelFor(client.settings.models, task.kind);
  const mechanism = mechanismFor(client.settings, task.kind);
  const keyOf = summaryKeyFor(client.id, options);
  const prompts = new ItemPrompts(options.template, promptBudgetFor(client.settings, task.kind));
  const results: (SummarizedItem | undefined)[] = new Array(items.length);
  const failures: Failure[] = [];
  let reused = 0;
  let done = 0;

  progress.start('summarize', items.length);
  // Uncached items by cache key; one request serves every item with the same key.
  const pending = new Map<string, { indexes: number[]; input: SummarizeInput }>();
  items.forEach((item, index) => {
    const prompt = prompts.prepare(item);
    if ('skipped' in prompt) {
      failures.push(prompt.skipped);
      progress.tick(++done);
      return;
    }
    const { rendered } = prompt;
    const key = keyOf(item);
    const record = cache.get(key);
    if (record) {
      results[index] = { item, ...record };
      reused++;
      progress.tick(++done);
      return;
    }
    const entry = pending.get(key);
    if (entry) entry.indexes.push(index);
    else
      pending.set(key, { indexes: [index], input: { rendered, partitions: options.partitions } });
  });

  const state = await loadState(store, stateKey);
  const save = () => store.write(stateKey, `${JSON.stringify(state)}\n`);
  const active: BatchRecord[] = [];
  for (const batch of state.batches) {
    if (batch.status !== 'submitted' || batch.llm !== client.id) continue;
    if (!batch.keys.some((key) => pending.has(key))) continue;
    if (await batchIsGone(client, batch.id)) {
      // Deleted or past the 29 days the API keeps batches: its requests are submitted anew.
      batch.status = 'folded';
      progress.warn(`batch ${batch.id} no longer exists; its requests are submitted again`);
      continue;
    }
    active.push(batch);
    progress.info(`resuming batch ${batch.id}`);
  }

  // Each request's worst case is held against the budget until its result is charged; requests
  // that do not fit are not submitted, and the stage stops once the submitted ones are in.
  const held = new Map<string, Reservation>();
  let overBudget: BudgetExceededError | undefined;
  const submitted = new Set(active.flatMap((batch) => batch.keys));
  const submit = async () => {
    const requests = [];
    for (const [key, { input }] of pending) {
      if (submitted.has(key)) continue;
      const params = client.request(task, input);
      const tokens = estimateTokens(promptText(params), modelProfile(params.model));
      const worst = client.ledger.worstCase(params.model, tokens, params.max_tokens, {
        batch: true,
      });
      let hold: Reservation | 'busy';
      try {
        hold = await client.ledger.tryReserve(worst ?? 0);
      } catch (error) {
        if (!(error instanceof BudgetExceededError)) throw error;
        overBudget = error;
        break;
      }
      // The room is held by batches in flight: the rest goes once their results free it.
      if (hold === 'busy') break;
      held.set(key, hold);
      requests.push({ custom_id: key, params });
    }
    for (const chunk of splitBatches(requests, options.limits)) {
      const batch = await client.create(chunk);
      const keys = chunk.map((request) => request.custom_id);
      const record: BatchRecord = {
        id: batch.id,
        llm: client.id,
        status: 'submitted',
        submittedAt: new Date().toISOString(),
        keys,
        ...(client.ledger.sharesBudget
          ? { held: Object.fromEntries(keys.map((key) => [key, held.get(key)?.usd ?? 0])) }
          : {}),
      };
      state.batches.push(record);
      await save();
      active.push(record);
      for (const key of keys) submitted.add(key);
      progress.info(`submitted batch ${batch.id} (${chunk.length} requests)`);
    }
  };

  /** The hold of a request: this process's, or one an earlier invocation left on the account. */
  const holdOf = (batch: BatchRecord, key: string): Reservation | undefined => {
    const mine = held.get(key);
    if (mine || !client.ledger.sharesBudget) return mine;
    const usd = batch.held?.[key];
    if (usd === undefined) return undefined;
    const restored = { usd, released: false };
    held.set(key, restored);
    return restored;
  };

  const settle = async (
    key: string,
    outcome: { record: CachedSummary } | { reason: string; code?: FailureCode },
  ) => {
    const entry = pending.get(key);
    if (!entry) return; // cached meanwhile, settled already, or another run's request
    pending.delete(key);
    // Given back once, only for a request still pending: a restored hold is never released twice.
    await client.ledger.release(held.get(key));
    held.delete(key);
    for (const index of entry.indexes) {
      const item = items[index];
      if (!item) continue;
      if ('record' in outcome) results[index] = { item, ...outcome.record };
      else failures.push({ stage: 'summarize', id: item.id, ...outcome });
      progress.tick(++done);
    }
  };

  const fold = async (batch: BatchRecord) => {
    await client.results(batch.id, async ({ custom_id: key, result }) => {
      if (!pending.has(key)) return;
      const hold = holdOf(batch, key);
      // Errored, canceled and expired requests are not billed; every succeeded one is.
      if (result.type !== 'succeeded')
        return settle(key, { reason: failureReason(result, batch.id) });
      const { message } = result;
      client.ledger.charge(
        { kind: task.kind, model, usage: usageOf(message.usage), batch: true },
        hold,
      );
      const reply = readTaskReply(task, message, mechanism);
      if (!reply.ok) {
        if (reply.refused) {
          return settle(key, { reason: `batch ${batch.id}: ${reply.problem}`, code: 'refusal' });
        }
        const reason = `batch ${batch.id}: ${reply.problem}`;
        return settle(key, { reason, code: 'invalid-reply' });
      }
      const record = summaryRecord(reply.value);
      await cache.set(key, record);
      await settle(key, { record });
    });
    for (const key of batch.keys) {
      if (!pending.has(key)) continue;
      holdOf(batch, key);
      await settle(key, { reason: `batch ${batch.id} returned no result for this item` });
    }
    batch.status = 'folded';
    await save();
  };

  const wait = options.waitForResults !== false;
  for (;;) {
    // Submitted only while nothing is in flight when not waiting: a step that comes back on a
    // timer must not sit in a Lambda waiting for budget that in-flight batches hold.
    const sentBefore = submitted.size;
    if (!overBudget && (wait || active.length === 0)) await submit();
    // Nothing could be sent and nothing is in flight here: the room is held elsewhere.
    const stalled = submitted.size === sentBefore && active.length === 0;
    for (const batch of [...active]) {
      const status = await client.retrieve(batch.id);
      if (status.processing_status !== 'ended') continue;
      await fold(batch);
      active.splice(active.indexOf(batch), 1);
    }
    const unsent = [...pending.keys()].some((key) => !submitted.has(key));
    if (active.length === 0 && (overBudget || !unsent)) break;
    if (!wait) {
      // The ids (and holds) are saved: the caller comes back later (Step Functions retries this
      // step on a timer) and this resumes polling, or submits what the budget now allows.
      throw new BatchPendingError(
        active.length > 0
          ? `${active.length} Message Batch(es) still processing: ${active.map((b) => b.id).join(', ')}`
          : 'requests left to submit once the budget held by finished batches is settled',
      );
    }
    if (active.length > 0 || stalled) await sleep(options.pollIntervalMs ?? 30_000);
  }
  progress.finish();
  if (overBudget) throw overBudget;

  return {
    summarized: results.filter((r): r is SummarizedItem => r !== undefined),
    failures,
    warnings: prompts.warnings(),
    reused,
  };
}
