import type { z } from 'zod';

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

export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    outputTokens: total.outputTokens + more.outputTokens,
    cacheReadTokens: total.cacheReadTokens + more.cacheReadTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    requests: total.requests + more.requests,
  };
}

/** The kinds of model work; providers may pick a model per kind (e.g. a cheaper one to summarize). */
export type TaskKind = 'summarize' | 'name' | 'group' | 'judge';

/** A prompt as a chat model receives it. */
export interface LlmPrompt {
  /** Instructions that stay the same across calls of a task: cacheable. */
  readonly system: string;
  /** The per-call part. */
  readonly user: string;
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
   * USD that `usage` of tasks of this kind costs at list prices (the model differs by kind);
   * absent or undefined when unknown. The offline provider costs nothing.
   */
  costOf?(usage: TokenUsage, kind: TaskKind): number | undefined;
}

/** A reply that never validated, after the provider's retries. Recorded as the item's failure. */
export class LlmReplyError extends Error {
  override name = 'LlmReplyError';
  constructor(
    message: string,
    readonly task: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
