import type { z } from 'zod';
import type { UsageLedger } from './ledger.js';

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  requests: number;
}

export const emptyUsage = (): TokenUsage => ({
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  requests: 0,
});

/** `total` plus `sign` × `more`, field by field. */
function combine(total: TokenUsage, more: TokenUsage, sign: 1 | -1): TokenUsage {
  return {
    inputTokens: total.inputTokens + sign * more.inputTokens,
    outputTokens: total.outputTokens + sign * more.outputTokens,
    cacheReadTokens: total.cacheReadTokens + sign * more.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + sign * more.cacheWriteTokens,
    requests: total.requests + sign * more.requests,
  };
}

export const addUsage = (total: TokenUsage, more: TokenUsage): TokenUsage =>
  combine(total, more, 1);

/** What was used since `before` (a snapshot of the same running total). */
export const subtractUsage = (total: TokenUsage, before: TokenUsage): TokenUsage =>
  combine(total, before, -1);

/** The kinds of model work; providers may pick a model per kind (e.g. a cheaper one to summarize). */
export const TASK_KINDS = ['summarize', 'name', 'group', 'judge', 'audit'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** A prompt as a chat model receives it. */
export interface LlmPrompt {
  /** Instructions that stay the same across calls of a task: cacheable. */
  readonly system: string;
  /** The per-call part. */
  readonly user: string;
  /**
   * A start of `user` that repeats across calls (the summary template's text before its first
   * tag): cached with the system prompt when together they are long enough to be.
   */
  readonly userHead?: string | undefined;
  readonly maxTokens: number;
}

/**
 * One kind of structured request. A task owns its prompt and the zod schema of its reply, so
 * every provider (and the offline one) returns the same validated shape.
 */
export interface LlmTask<I, O> {
  readonly name: string;
  readonly kind: TaskKind;
  /** Bumped when the prompt changes, so cached replies of the old prompt are not reused. */
  readonly version: number;
  /** Reply schema; providers with tool use send its JSON Schema as the tool's input schema. */
  readonly reply: z.ZodType<O>;
  /** Describes the reply to the model: the tool name and what it is for. */
  readonly tool: { readonly name: string; readonly description: string };
  prompt(input: I): LlmPrompt;
}

export interface LlmReply<O> {
  readonly value: O;
  readonly usage: TokenUsage;
  readonly model: string;
}

export interface Llm {
  /** Provider and model identity; part of every summary cache key. */
  readonly id: string;
  /**
   * False for the offline provider: it can only do what can be computed from the input
   * (extractive summaries, keyword names), so stages that need judgement use a non-LLM method.
   */
  readonly generative: boolean;
  run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>>;
  /**
   * Every billed response of this provider is charged here (valid or not), and the budget is
   * enforced here: the source of truth for a run's usage and cost.
   */
  readonly ledger: UsageLedger;
  /**
   * The same provider (client, models, rate limiter) charging `ledger` instead: how one step of
   * a run gets a bill of its own. Absent for providers that bill nothing.
   */
  withLedger?(ledger: UsageLedger): Llm;
  /**
   * USD that `usage` (summed over `usage.requests` similar calls) of tasks of this kind costs at
   * list prices (the model differs by kind); undefined when the price is unknown. For estimates.
   */
  costOf?(usage: TokenUsage, kind: TaskKind): number | undefined;
  /** The model that runs tasks of this kind (absent for the offline provider). */
  modelFor?(kind: TaskKind): string;
  /**
   * Input tokens a task's request would bill, estimated offline for its model's tokenizer
   * (absent for the offline provider, which bills nothing).
   */
  estimateInputTokens?<I, O>(task: LlmTask<I, O>, input: I): number;
  /** The same, counted by the provider's free token-counting endpoint, where it has one. */
  countInputTokens?<I, O>(task: LlmTask<I, O>, input: I): Promise<number>;
  /**
   * The most prompt text (characters of the user turn) the model of tasks of this kind takes:
   * longer item text is cut to fit rather than sent to fail on every run.
   */
  promptBudget?(kind: TaskKind): PromptBudget;
}

/**
 * Why an item or cluster could not be done, for counting in run.json and the explorer.
 * `empty-item`: the item had no text to summarize; it is skipped, not failed.
 */
export type FailureCode = 'refusal' | 'invalid-reply' | 'request-failed' | 'empty-item';

const FAILURE_CODES: readonly FailureCode[] = [
  'refusal',
  'invalid-reply',
  'request-failed',
  'empty-item',
];

/** How much prompt text a provider's model takes, and its name for messages. */
export interface PromptBudget {
  readonly maxChars: number;
  /** e.g. `claude-haiku-5-5` or `the offline provider`. */
  readonly reader: string;
}

/** A reply that never validated, after the provider's retries. Recorded as the item's failure. */
export class LlmReplyError extends Error {
  override name = 'LlmReplyError';
  readonly code: FailureCode = 'invalid-reply';
  constructor(
    message: string,
    readonly task: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The model declined (`stop_reason: "refusal"`, its safety classifier). Not retried: the same
 * input would be declined again. Recorded as that item's failure with the reason.
 */
export class LlmRefusalError extends LlmReplyError {
  override name = 'LlmRefusalError';
  override readonly code: FailureCode = 'refusal';
}

/**
 * An error every later call would hit too (spent budget, rejected key): the stage stops instead
 * of recording it against each remaining item, and the run fails.
 */
export const isFatal = (error: unknown): boolean =>
  (error as { fatal?: unknown } | null)?.fatal === true;

/** The failure code an error carries, if any. */
export const failureCode = (error: unknown): FailureCode | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return FAILURE_CODES.find((known) => known === code);
};

/** The item holds no words to summarize (only markup, links or empty fields): it is skipped. */
export class NothingToSummarizeError extends Error {
  override name = 'NothingToSummarizeError';
  readonly code: FailureCode = 'empty-item';
}
