import type {
  Message,
  MessageCountTokensParams,
  MessageCreateParamsNonStreaming,
} from '@anthropic-ai/sdk/resources/messages';
import { errorStatus, type RetryOptions, retryAfterMs, withRetry } from '../util/retry.js';
import {
  type ClaudeRequestSettings,
  claudeId,
  estimateTokens,
  mechanismFor,
  modelFor,
  promptBudgetFor,
  promptText,
  readTaskReply,
  taskRequest,
  typicalTokens,
  usageOf,
} from './claude-request.js';
import { UsageLedger } from './ledger.js';
import { modelProfile } from './models.js';
import { estimateTokens as limiterEstimate, type RateLimiter } from './rate-limit.js';
import {
  addUsage,
  type Llm,
  LlmRefusalError,
  type LlmReply,
  LlmReplyError,
  type LlmTask,
  type PromptBudget,
  type TaskKind,
  type TokenUsage,
} from './types.js';

export {
  type ClaudeModels,
  type ClaudeRequestSettings,
  claudeId,
  modelFor,
  readTaskReply,
  taskRequest,
  usageOf,
} from './claude-request.js';

/**
 * The one Claude provider. The direct API and Bedrock differ only in the client that carries the
 * request (URL, auth, wire rewriting all live in the SDKs), so both are this class with a
 * different client; see `anthropic.ts` and `bedrock.ts`.
 */

/** The part of an SDK client this provider uses; `Anthropic` and `AnthropicBedrock` both fit. */
export interface MessagesClient {
  readonly messages: {
    create(params: MessageCreateParamsNonStreaming): PromiseLike<Message>;
    /** The free token-counting endpoint; Bedrock's client has none. */
    countTokens?(params: MessageCountTokensParams): PromiseLike<{ input_tokens: number }>;
  };
}

export interface ClaudeLlmOptions extends ClaudeRequestSettings {
  /** Extra attempts after a reply that fails the task's schema. Default 2. */
  readonly validationRetries?: number | undefined;
  /** Backoff of transport failures (429, 529, 5xx, dropped connections). */
  readonly retry?: RetryOptions | undefined;
  /** Shared by every call of this provider; none means no client-side pacing. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** Strings never to repeat in an error message (the API key). */
  readonly secrets?: readonly (string | undefined)[];
  /** Where every billed response is charged and the budget is kept; a fresh one by default. */
  readonly ledger?: UsageLedger | undefined;
}

/** A request that failed at the transport or API level, after the retries. */
export class LlmRequestError extends Error {
  override name = 'LlmRequestError';
  readonly code = 'request-failed';
  constructor(
    message: string,
    /** HTTP status, when the API answered. */
    readonly status: number | undefined,
    /** Every later call would fail the same way (bad key, no access, unknown model). */
    readonly fatal: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

// Cache reads do not count against the input-token limit; cache writes and fresh input do.
const meteredTokens = (message: Message) =>
  message.usage.input_tokens +
  (message.usage.cache_creation_input_tokens ?? 0) +
  message.usage.output_tokens;

const FATAL_STATUSES = new Set([401, 403, 404]);

/**
 * What went wrong, in the API's words: the SDK's message for an API error is its status and the
 * response body serialized (`400 {"type":"error","error":{…}}`); the body's own type and message
 * read as a sentence.
 */
function errorDetail(error: unknown): string {
  const body = (error as { error?: { error?: { type?: unknown; message?: unknown } } } | null)
    ?.error?.error;
  if (body && typeof body.message === 'string') {
    const status = errorStatus(error);
    const type = typeof body.type === 'string' ? `${body.type}: ` : '';
    return `${status !== undefined ? `${status} ` : ''}${type}${body.message}`;
  }
  return error instanceof Error ? error.message : String(error);
}
/** The most output room a cut-off reply is retried with. */
const MAX_RETRY_TOKENS = 32_000;

export class ClaudeLlm implements Llm {
  readonly id: string;
  readonly generative = true;
  readonly settings: ClaudeRequestSettings;
  readonly ledger: UsageLedger;
  readonly #client: MessagesClient;
  readonly #options: ClaudeLlmOptions;
  #fatal: LlmRequestError | undefined;

  constructor(client: MessagesClient, options: ClaudeLlmOptions) {
    this.#client = client;
    this.#options = options;
    this.settings = options;
    this.ledger = options.ledger ?? new UsageLedger();
    this.id = claudeId(options);
  }

  costOf(usage: TokenUsage, kind: TaskKind): number | undefined {
    return costOfCalls(this.ledger, modelFor(this.settings.models, kind), usage);
  }

  withLedger(ledger: UsageLedger): ClaudeLlm {
    return new ClaudeLlm(this.#client, { ...this.#options, ledger });
  }

  modelFor(kind: TaskKind): string {
    return modelFor(this.settings.models, kind);
  }

  promptBudget(kind: TaskKind): PromptBudget {
    return promptBudgetFor(this.settings, kind);
  }

  estimateInputTokens<I, O>(task: LlmTask<I, O>, input: I): number {
    const request = taskRequest(task, task.prompt(input), this.settings);
    return typicalTokens(promptText(request), modelProfile(request.model));
  }

  get countInputTokens(): (<I, O>(task: LlmTask<I, O>, input: I) => Promise<number>) | undefined {
    const count = this.#client.messages.countTokens?.bind(this.#client.messages);
    if (!count) return undefined;
    return async (task, input) => {
      const { max_tokens: _max, ...request } = taskRequest(task, task.prompt(input), this.settings);
      const counted = await withRetry(async () => count(request), this.#options.retry);
      return counted.input_tokens;
    };
  }

  async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
    const request = taskRequest(task, task.prompt(input), this.settings);
    const mechanism = mechanismFor(this.settings, task.kind);
    const messages = [...request.messages];
    const attempts = 1 + (this.#options.validationRetries ?? 2);
    let maxTokens = request.max_tokens;
    let usage: TokenUsage | undefined;
    let problem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const message = await this.#billed(task.kind, {
        ...request,
        messages,
        max_tokens: maxTokens,
      });
      usage = usage ? addUsage(usage, usageOf(message.usage)) : usageOf(message.usage);
      const reply = readTaskReply(task, message, mechanism);
      if (reply.ok) return { value: reply.value, usage, model: request.model };
      problem = reply.problem;
      if (reply.refused) {
        throw new LlmRefusalError(`${task.name}: ${request.model}: ${problem}`, task.name);
      }
      // A cut-off reply is asked again with twice the room; correcting half a JSON object is moot.
      if (reply.cutOff) maxTokens = Math.min(MAX_RETRY_TOKENS, maxTokens * 2);
      else messages.push(...reply.correction);
    }
    throw new LlmReplyError(
      `${task.name}: no valid reply from ${request.model} in ${attempts} attempts: ${problem}`,
      task.name,
    );
  }

  /**
   * One request, its worst case reserved against the budget first, its usage charged to the
   * ledger when it answers. Transport failures are not billed and only give the room back.
   */
  async #billed(kind: TaskKind, params: MessageCreateParamsNonStreaming): Promise<Message> {
    const promptTokens = estimateTokens(promptText(params), modelProfile(params.model));
    const worst = this.ledger.worstCase(params.model, promptTokens, params.max_tokens);
    const reservation = await this.ledger.reserve(worst ?? 0);
    try {
      const message = await this.#send(params);
      this.ledger.charge({ kind, model: params.model, usage: usageOf(message.usage) }, reservation);
      return message;
    } finally {
      await this.ledger.release(reservation);
    }
  }

  /** One request with transport retries, paced by the shared rate limiter. */
  async #send(params: MessageCreateParamsNonStreaming): Promise<Message> {
    if (this.#fatal) throw this.#fatal;
    const limiter = this.#options.rateLimiter;
    const estimate = limiterEstimate(promptText(params).length, params.max_tokens);
    let attempts = 0;
    try {
      return await withRetry(async () => {
        attempts++;
        const permit = await limiter?.acquire(estimate);
        try {
          const message = await this.#client.messages.create(params);
          if (permit) limiter?.settle(permit, meteredTokens(message));
          return message;
        } catch (error) {
          if (permit) limiter?.settle(permit, 0);
          const wait = errorStatus(error) === 429 ? retryAfterMs(error) : undefined;
          if (wait !== undefined) limiter?.pause(wait);
          throw error;
        }
      }, this.#options.retry);
    } catch (error) {
      throw this.#requestError(error, params.model, attempts);
    }
  }

  #requestError(error: unknown, model: string, attempts: number): LlmRequestError {
    const status = errorStatus(error);
    let detail = errorDetail(error);
    for (const secret of this.#options.secrets ?? []) {
      if (secret && secret.length >= 8) detail = detail.split(secret).join('[redacted]');
    }
    const fatal = status !== undefined && FATAL_STATUSES.has(status);
    const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
    const wrapped = new LlmRequestError(
      `${this.#options.provider} request to ${model} failed after ${tries}: ${detail}`,
      status,
      fatal,
      { cause: error },
    );
    if (fatal) this.#fatal = wrapped;
    return wrapped;
  }
}

/**
 * USD of `usage` summed over `usage.requests` similar calls: priced per average call, since the
 * long-prompt tier is decided per request, not on the sum.
 */
export function costOfCalls(
  ledger: UsageLedger,
  model: string,
  usage: TokenUsage,
  options: { batch?: boolean } = {},
): number | undefined {
  const calls = Math.max(1, usage.requests);
  const each = {
    inputTokens: usage.inputTokens / calls,
    outputTokens: usage.outputTokens / calls,
    cacheReadTokens: usage.cacheReadTokens / calls,
    cacheWriteTokens: usage.cacheWriteTokens / calls,
    requests: 1,
  };
  const cost = ledger.price(model, each, options);
  return cost === undefined ? undefined : cost * calls;
}
