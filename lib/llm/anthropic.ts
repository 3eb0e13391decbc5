import Anthropic from '@anthropic-ai/sdk';
import type { LlmConfig } from '../config/index.js';
import type { RetryOptions } from '../util/retry.js';
import { type BatchesClient, ClaudeBatches } from './batch.js';
import { ClaudeLlm, type ClaudeModels } from './claude.js';
import { type ClaudeEfforts, DEFAULT_EFFORTS } from './claude-request.js';
import type { UsageLedger } from './ledger.js';
import { RateLimiter } from './rate-limit.js';

/** Haiku summarizes (many calls, cheap and fast); Sonnet names and groups (few calls). */
export const ANTHROPIC_DEFAULT_MODELS: ClaudeModels = {
  summarize: 'claude-haiku-5-5',
  naming: 'claude-sonnet-5-5',
};

/** Options shared by the direct API and Bedrock factories. */
export interface ClaudeProviderOptions {
  /** `llm.model`: the summarize model. */
  readonly model?: string | undefined;
  /** `llm.naming_model`: the model for naming, grouping and judging. */
  readonly namingModel?: string | undefined;
  /** `llm.max_tokens`: replaces each task's own output budget. */
  readonly maxTokens?: number | undefined;
  /** `llm.effort` / `llm.naming_effort`, for models that take `effort`. */
  readonly efforts?: Partial<ClaudeEfforts> | undefined;
  /** Where every billed response is charged and the budget is kept. */
  readonly ledger?: UsageLedger | undefined;
  readonly requestsPerMinute?: number | undefined;
  readonly tokensPerMinute?: number | undefined;
  /** A limiter to share with other providers; built from the two limits above when absent. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** Extra attempts after a reply that fails its schema. Default 2. */
  readonly validationRetries?: number | undefined;
  /** Transport backoff (attempts, baseMs, maxMs, sleep); tests shrink the waits. */
  readonly retry?: RetryOptions | undefined;
  /** Per-request timeout. Default 120 s: short replies; a hung connection should not wait 10 min. */
  readonly timeoutMs?: number | undefined;
  readonly baseURL?: string | undefined;
}

export interface AnthropicLlmOptions extends ClaudeProviderOptions {
  /** Default: the SDK's own resolution (`ANTHROPIC_API_KEY`, then its credential chain). */
  readonly apiKey?: string | undefined;
}

export const DEFAULT_TIMEOUT_MS = 120_000;

/** The provider options a config's `llm` section asks for. */
export function claudeOptionsFromConfig(llm: LlmConfig): ClaudeProviderOptions {
  return {
    model: llm.model,
    namingModel: llm.naming_model,
    maxTokens: llm.max_tokens,
    efforts: { summarize: llm.effort, naming: llm.naming_effort },
    requestsPerMinute: llm.requests_per_minute,
    tokensPerMinute: llm.tokens_per_minute,
  };
}

export function rateLimiterFor(options: ClaudeProviderOptions): RateLimiter | undefined {
  if (options.rateLimiter) return options.rateLimiter;
  if (options.requestsPerMinute === undefined && options.tokensPerMinute === undefined) return;
  return new RateLimiter({
    requestsPerMinute: options.requestsPerMinute,
    tokensPerMinute: options.tokensPerMinute,
  });
}

/** The SDK client, with its own retries off: `ClaudeLlm` retries, paced by its rate limiter. */
export function createAnthropicClient(options: AnthropicLlmOptions = {}): Anthropic {
  return new Anthropic({
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}

const modelsOf = (options: ClaudeProviderOptions, defaults: ClaudeModels): ClaudeModels => ({
  summarize: options.model ?? defaults.summarize,
  naming: options.namingModel ?? defaults.naming,
});

const effortsOf = (options: ClaudeProviderOptions): ClaudeEfforts => ({
  summarize: options.efforts?.summarize ?? DEFAULT_EFFORTS.summarize,
  naming: options.efforts?.naming ?? DEFAULT_EFFORTS.naming,
});

/** The shared part of both providers' constructor options. */
export function claudeLlmOptions(
  provider: string,
  options: ClaudeProviderOptions,
  defaults: ClaudeModels,
  secrets: readonly (string | undefined)[],
) {
  return {
    provider,
    models: modelsOf(options, defaults),
    maxTokens: options.maxTokens,
    efforts: effortsOf(options),
    ledger: options.ledger,
    validationRetries: options.validationRetries,
    retry: options.retry,
    rateLimiter: rateLimiterFor(options),
    secrets,
  };
}

/** Claude through the Anthropic API (`anthropic:<summarize model>`). */
export class AnthropicLlm extends ClaudeLlm {
  constructor(options: AnthropicLlmOptions = {}, client = createAnthropicClient(options)) {
    super(
      client,
      claudeLlmOptions('anthropic', options, ANTHROPIC_DEFAULT_MODELS, [
        options.apiKey,
        client.apiKey ?? undefined,
      ]),
    );
  }
}

/**
 * Message Batches with the same models, prompts and cache identity as `AnthropicLlm` built from
 * the same options, so summaries made either way are reused by the other.
 */
export function createAnthropicBatches(
  options: AnthropicLlmOptions = {},
  client: BatchesClient = createAnthropicClient(options),
  ledger: UsageLedger | undefined = options.ledger,
): ClaudeBatches {
  return new ClaudeBatches(client, {
    provider: 'anthropic',
    models: modelsOf(options, ANTHROPIC_DEFAULT_MODELS),
    maxTokens: options.maxTokens,
    efforts: effortsOf(options),
    retry: options.retry,
    ledger,
  });
}
