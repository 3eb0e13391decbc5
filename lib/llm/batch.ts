import type {
  BatchCreateParams,
  MessageBatch,
  MessageBatchIndividualResponse,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/messages';
import { type RetryOptions, withRetry } from '../util/retry.js';
import { type ClaudeRequestSettings, claudeId, taskRequest } from './claude-request.js';
import { UsageLedger } from './ledger.js';
import type { LlmTask } from './types.js';

/** The part of the SDK client Message Batches use (the direct API only: Bedrock has no such API). */
export interface BatchesClient {
  readonly messages: {
    readonly batches: {
      create(params: BatchCreateParams): PromiseLike<MessageBatch>;
      retrieve(id: string): PromiseLike<MessageBatch>;
      results(id: string): Promise<AsyncIterable<MessageBatchIndividualResponse>>;
    };
  };
}

export type BatchRequest = BatchCreateParams.Request;

/** The API's limits on one batch. */
export interface BatchLimits {
  readonly maxRequests: number;
  readonly maxBytes: number;
}

export const BATCH_LIMITS: BatchLimits = { maxRequests: 100_000, maxBytes: 256 * 1024 * 1024 };

/** A `custom_id` must match this; a summary's cache key (64 hex digits) does. */
export const CUSTOM_ID = /^[a-zA-Z0-9_-]{1,64}$/;

// The body is `{"requests":[...]}` with commas between; leave room for that and for headers.
const ENVELOPE_BYTES = 1024;

/**
 * Splits requests into batches that each fit the API's limits, in order. A single request larger
 * than a whole batch is an error the API would give too, so it is raised here, before any
 * batch is created.
 */
export function splitBatches(
  requests: readonly BatchRequest[],
  limits: BatchLimits = BATCH_LIMITS,
): BatchRequest[][] {
  const chunks: BatchRequest[][] = [];
  let current: BatchRequest[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const request of requests) {
    const size = Buffer.byteLength(JSON.stringify(request)) + 1;
    if (size + ENVELOPE_BYTES > limits.maxBytes) {
      throw new RangeError(`batch request ${request.custom_id} alone exceeds the batch size limit`);
    }
    if (current.length >= limits.maxRequests || bytes + size > limits.maxBytes) {
      chunks.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(request);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export interface ClaudeBatchesOptions extends ClaudeRequestSettings {
  readonly retry?: RetryOptions | undefined;
  /** Where every billed result is charged (at the batch price) and the budget is kept. */
  readonly ledger?: UsageLedger | undefined;
}

/**
 * Message Batches for the tasks `ClaudeLlm` runs: the same request per task (so the same prompt,
 * tool and model) and the same `id`, so the summary cache is shared between the two modes. Batch
 * calls are retried like any other; results are read as a stream.
 */
export class ClaudeBatches {
  readonly id: string;
  readonly settings: ClaudeRequestSettings;
  readonly ledger: UsageLedger;
  readonly #client: BatchesClient;
  readonly #retry: RetryOptions | undefined;
  readonly #options: ClaudeBatchesOptions;

  constructor(client: BatchesClient, options: ClaudeBatchesOptions) {
    this.#client = client;
    this.#options = options;
    this.settings = options;
    this.ledger = options.ledger ?? new UsageLedger();
    this.#retry = options.retry;
    this.id = claudeId(options);
  }

  /** The same batches client charging `ledger` (one step's bill). */
  withLedger(ledger: UsageLedger): ClaudeBatches {
    return new ClaudeBatches(this.#client, { ...this.#options, ledger });
  }

  request<I, O>(task: LlmTask<I, O>, input: I): MessageCreateParamsNonStreaming {
    return taskRequest(task, task.prompt(input), this.settings);
  }

  create(requests: readonly BatchRequest[]): Promise<MessageBatch> {
    for (const { custom_id } of requests) {
      if (!CUSTOM_ID.test(custom_id)) throw new RangeError(`invalid batch custom_id ${custom_id}`);
    }
    // Not retried on a dropped connection: the batch may exist already, and a second one would
    // be paid twice. The API answers a create quickly, so a drop is rare; the stage then fails.
    return withRetry(
      async () => this.#client.messages.batches.create({ requests: [...requests] }),
      {
        ...this.#retry,
        retryable: (error) => {
          const status = (error as { status?: unknown }).status;
          return status === 429 || status === 529;
        },
      },
    );
  }

  retrieve(id: string): Promise<MessageBatch> {
    return withRetry(async () => this.#client.messages.batches.retrieve(id), this.#retry);
  }

  /**
   * Calls `onResult` once per request of an ended batch. A stream broken halfway is read again
   * from the start, skipping the results already delivered.
   */
  async results(
    id: string,
    onResult: (result: MessageBatchIndividualResponse) => Promise<void> | void,
  ): Promise<void> {
    const delivered = new Set<string>();
    await withRetry(async () => {
      for await (const result of await this.#client.messages.batches.results(id)) {
        if (delivered.has(result.custom_id)) continue;
        delivered.add(result.custom_id);
        await onResult(result);
      }
    }, this.#retry);
  }
}
