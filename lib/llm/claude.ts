import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  ToolUseBlock,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import { errorStatus, type RetryOptions, retryAfterMs, withRetry } from '../util/retry.js';
import { describeIssues, toolInputSchema } from './json-schema.js';
import { costOf } from './pricing.js';
import { estimateTokens, type RateLimiter } from './rate-limit.js';
import {
  addUsage,
  emptyUsage,
  type Llm,
  type LlmPrompt,
  type LlmReply,
  LlmReplyError,
  type LlmTask,
  type TaskKind,
  type TokenUsage,
} from './types.js';

/**
 * The one Claude provider. The direct API and Bedrock differ only in the client that carries the
 * request (URL, auth, wire rewriting all live in the SDKs), so both are this class with a
 * different client; see `anthropic.ts` and `bedrock.ts`.
 */

/** The part of an SDK client this provider uses; `Anthropic` and `AnthropicBedrock` both fit. */
export interface MessagesClient {
  readonly messages: {
    create(params: MessageCreateParamsNonStreaming): PromiseLike<Message>;
  };
}

/** Which model does which kind of work: a cheap fast one for the many summaries. */
export interface ClaudeModels {
  readonly summarize: string;
  /** Cluster naming, grouping and judging: few calls that need more judgement. */
  readonly naming: string;
}

/** What shapes a request: shared by the synchronous provider and Message Batches. */
export interface ClaudeRequestSettings {
  /** `anthropic` or `bedrock`: the first half of the provider id. */
  readonly provider: string;
  readonly models: ClaudeModels;
  /** `llm.max_tokens`: replaces each task's own output budget when set. */
  readonly maxTokens?: number | undefined;
  /** Mark the system prompt as a cache breakpoint. Default true. */
  readonly promptCaching?: boolean;
}

export interface ClaudeLlmOptions extends ClaudeRequestSettings {
  /** Extra attempts after a reply that fails the task's schema. Default 2. */
  readonly validationRetries?: number;
  /** Backoff of transport failures (429, 529, 5xx, dropped connections). */
  readonly retry?: RetryOptions;
  /** Shared by every call of this provider; none means no client-side pacing. */
  readonly rateLimiter?: RateLimiter | undefined;
  /** Strings never to repeat in an error message (the API key). */
  readonly secrets?: readonly (string | undefined)[];
}

/** A request that failed at the transport or API level, after the retries. */
export class LlmRequestError extends Error {
  override name = 'LlmRequestError';
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

export const claudeId = (settings: Pick<ClaudeRequestSettings, 'provider' | 'models'>): string =>
  `${settings.provider}:${settings.models.summarize}`;

export const modelFor = (models: ClaudeModels, kind: TaskKind): string =>
  kind === 'summarize' ? models.summarize : models.naming;

/**
 * The Messages API request for one task: its system prompt as a cacheable block, the user turn,
 * and the task's reply schema as the one tool the model must call.
 */
export function taskRequest<I, O>(
  task: LlmTask<I, O>,
  prompt: LlmPrompt,
  settings: ClaudeRequestSettings,
): MessageCreateParamsNonStreaming {
  return {
    model: modelFor(settings.models, task.kind),
    max_tokens: settings.maxTokens ?? prompt.maxTokens,
    system: [
      {
        type: 'text',
        text: prompt.system,
        // Tools and system form the cached prefix; only the user turn changes between calls.
        ...(settings.promptCaching === false ? {} : { cache_control: { type: 'ephemeral' } }),
      },
    ],
    tools: [
      {
        name: task.tool.name,
        description: task.tool.description,
        input_schema: toolInputSchema(task.reply),
      },
    ],
    tool_choice: { type: 'tool', name: task.tool.name },
    messages: [{ role: 'user', content: prompt.user }],
  };
}

export function usageOf(usage: Usage | undefined): TokenUsage {
  return {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheReadTokens: usage?.cache_read_input_tokens ?? 0,
    cacheWriteTokens: usage?.cache_creation_input_tokens ?? 0,
    requests: 1,
  };
}

export type ToolReply<O> =
  | { readonly ok: true; readonly value: O }
  | { readonly ok: false; readonly problem: string; readonly block: ToolUseBlock | undefined };

/** The task's tool call in a reply, validated against the task's schema. */
export function readToolReply<I, O>(task: LlmTask<I, O>, message: Message): ToolReply<O> {
  const block = message.content.find(
    (b): b is ToolUseBlock => b.type === 'tool_use' && b.name === task.tool.name,
  );
  const cutOff =
    message.stop_reason === 'max_tokens' ? ' (the reply was cut off at max_tokens)' : '';
  if (!block) {
    return {
      ok: false,
      problem: `the model did not call the ${task.tool.name} tool (stop_reason ${message.stop_reason})${cutOff}`,
      block,
    };
  }
  const parsed = task.reply.safeParse(block.input);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, problem: `${describeIssues(parsed.error)}${cutOff}`, block };
}

/** The turns that tell the model its reply was invalid and ask for another tool call. */
function correction(task: LlmTask<unknown, unknown>, message: Message, reply: ToolReply<unknown>) {
  if (reply.ok) return [];
  const turns: MessageParam[] = [];
  const { block, problem } = reply;
  if (block) {
    // Echo only the call itself: response-only fields (caller, ...) are not valid as input.
    turns.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }],
    });
    turns.push({
      role: 'user',
      content: [
        {
          type: 'tool_result',
          tool_use_id: block.id,
          is_error: true,
          content: `The input does not match the tool's schema: ${problem}. Call ${task.tool.name} again with corrected input.`,
        },
      ],
    });
    return turns;
  }
  const said = message.content.flatMap((b): ContentBlockParam[] =>
    b.type === 'text' && b.text.trim() ? [{ type: 'text', text: b.text }] : [],
  );
  if (said.length > 0) turns.push({ role: 'assistant', content: said });
  turns.push({ role: 'user', content: `Answer only by calling the ${task.tool.name} tool.` });
  return turns;
}

// Cache reads do not count against the input-token limit; cache writes and fresh input do.
const meteredTokens = (usage: Usage) =>
  usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + usage.output_tokens;

const FATAL_STATUSES = new Set([401, 403, 404]);

export class ClaudeLlm implements Llm {
  readonly id: string;
  readonly generative = true;
  readonly settings: ClaudeRequestSettings;
  readonly #client: MessagesClient;
  readonly #options: ClaudeLlmOptions;
  #spent = emptyUsage();
  #fatal: LlmRequestError | undefined;

  constructor(client: MessagesClient, options: ClaudeLlmOptions) {
    this.#client = client;
    this.#options = options;
    this.settings = options;
    this.id = claudeId(options);
  }

  costOf(usage: TokenUsage, kind: TaskKind): number | undefined {
    return costOf(modelFor(this.settings.models, kind), usage);
  }

  /** Everything billed so far, replies that never validated included (for budgets and run.json). */
  get spent(): TokenUsage {
    return this.#spent;
  }

  async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
    const prompt = task.prompt(input);
    const request = taskRequest(task, prompt, this.settings);
    const messages = [...request.messages];
    const attempts = 1 + (this.#options.validationRetries ?? 2);
    let usage = emptyUsage();
    let problem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const message = await this.#send({ ...request, messages });
      const used = usageOf(message.usage);
      usage = addUsage(usage, used);
      this.#spent = addUsage(this.#spent, used);
      const reply = readToolReply(task, message);
      if (reply.ok) return { value: reply.value, usage, model: request.model };
      problem = reply.problem;
      messages.push(...correction(task as LlmTask<unknown, unknown>, message, reply));
    }
    throw new LlmReplyError(
      `${task.name}: no valid reply from ${request.model} in ${attempts} attempts: ${problem}`,
      task.name,
    );
  }

  /** One request with transport retries, paced by the shared rate limiter. */
  async #send(params: MessageCreateParamsNonStreaming): Promise<Message> {
    if (this.#fatal) throw this.#fatal;
    const limiter = this.#options.rateLimiter;
    const { system, tools, messages } = params;
    const estimate = estimateTokens(
      JSON.stringify([system, tools, messages]).length,
      params.max_tokens,
    );
    let attempts = 0;
    try {
      return await withRetry(async () => {
        attempts++;
        const permit = await limiter?.acquire(estimate);
        try {
          const message = await this.#client.messages.create(params);
          if (permit) limiter?.settle(permit, meteredTokens(message.usage));
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
    let detail = error instanceof Error ? error.message : String(error);
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
