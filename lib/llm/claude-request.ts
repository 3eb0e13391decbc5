import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  ToolUseBlock,
  Usage,
} from '@anthropic-ai/sdk/resources/messages';
import {
  extractJson,
  shapeProblem,
  structuredOutputSchema,
  toolInputSchema,
} from './json-schema.js';
import {
  type Effort,
  type ModelProfile,
  maxPromptChars,
  modelProfile,
  type ReplyMechanism,
  replyMechanism,
} from './models.js';
import type { LlmPrompt, LlmTask, PromptBudget, TaskKind, TokenUsage } from './types.js';

/** Which model does which kind of work: a cheap fast one for the many summaries. */
export interface ClaudeModels {
  readonly summarize: string;
  /** Cluster naming, grouping and judging: few calls that need more judgement. */
  readonly naming: string;
}

/** `llm.effort` / `llm.naming_effort`: how hard models that take `effort` think, per role. */
export interface ClaudeEfforts {
  readonly summarize: Effort;
  readonly naming: Effort;
}

/**
 * Summaries: the cheapest setting that keeps them faithful (one sentence from one record needs
 * little thought). Naming and grouping compare many clusters, which is worth some thinking.
 */
export const DEFAULT_EFFORTS: ClaudeEfforts = { summarize: 'low', naming: 'medium' };

/**
 * Output room for adaptive thinking, per effort, added to a task's own reply budget so thinking
 * cannot crowd out the answer. The worst case a budget reserves grows with it.
 */
const THINKING_ROOM: Record<Effort, number> = {
  low: 1024,
  medium: 4096,
  high: 8192,
  xhigh: 16_384,
  max: 32_000,
};

/** What shapes a request: shared by the synchronous provider and Message Batches. */
export interface ClaudeRequestSettings {
  /** `anthropic` or `bedrock`: the first half of the provider id. */
  readonly provider: string;
  readonly models: ClaudeModels;
  /** `llm.max_tokens`: replaces each task's own reply budget when set. */
  readonly maxTokens?: number | undefined;
  readonly efforts?: ClaudeEfforts | undefined;
}

export const claudeId = (settings: Pick<ClaudeRequestSettings, 'provider' | 'models'>): string =>
  `${settings.provider}:${settings.models.summarize}`;

export const modelFor = (models: ClaudeModels, kind: TaskKind): string =>
  kind === 'summarize' ? models.summarize : models.naming;

const effortFor = (settings: ClaudeRequestSettings, kind: TaskKind): Effort => {
  const efforts = settings.efforts ?? DEFAULT_EFFORTS;
  return kind === 'summarize' ? efforts.summarize : efforts.naming;
};

/**
 * Tokens a text makes for `profile`'s tokenizer, estimated without calling the API: 3 UTF-8 bytes
 * a token for the 4.x tokenizer (English prose runs nearer 4, so this leans high, which is the
 * safe side for budgets and limits), times the model generation's factor.
 */
export function estimateTokens(text: string, profile: ModelProfile): number {
  return Math.ceil((Buffer.byteLength(text) / 3) * profile.tokenizerFactor);
}

const callTheTool = (task: { readonly tool: { readonly name: string } }) =>
  `Answer only by calling the ${task.tool.name} tool.`;

/** How replies to tasks of `kind` are asked for with these settings. */
export const mechanismFor = (settings: ClaudeRequestSettings, kind: TaskKind): ReplyMechanism =>
  replyMechanism(settings.provider, modelProfile(modelFor(settings.models, kind)));

/** How much prompt text tasks of `kind` may carry: what their model's context window holds. */
export function promptBudgetFor(settings: ClaudeRequestSettings, kind: TaskKind): PromptBudget {
  const model = modelFor(settings.models, kind);
  return { maxChars: maxPromptChars(modelProfile(model)), reader: model };
}

/** The part of a request the model reads as its prompt, as text, for estimates. */
export const promptText = (params: MessageCreateParamsNonStreaming): string =>
  JSON.stringify([params.system, params.tools, params.output_config, params.messages]);

/**
 * The Messages API request for one task, shaped for its model (see `models.ts`): the reply schema
 * as structured output (or, on legacy models, as the one tool the model must call), adaptive
 * thinking bounded by the task's effort where the model thinks, never a setting the model rejects
 * (sampling parameters, thinking budgets, prefill, forced tool choice on current models).
 */
export function taskRequest<I, O>(
  task: LlmTask<I, O>,
  prompt: LlmPrompt,
  settings: ClaudeRequestSettings,
): MessageCreateParamsNonStreaming {
  const model = modelFor(settings.models, task.kind);
  const profile = modelProfile(model);
  const effort = effortFor(settings, task.kind);
  const replyTokens = settings.maxTokens ?? prompt.maxTokens;
  const request: MessageCreateParamsNonStreaming = {
    model,
    max_tokens: profile.adaptiveThinking ? replyTokens + THINKING_ROOM[effort] : replyTokens,
    system: [{ type: 'text', text: prompt.system }],
    messages: [{ role: 'user', content: prompt.user }],
  };
  const mechanism = mechanismFor(settings, task.kind);
  if (mechanism === 'structured-output') {
    request.output_config = {
      format: { type: 'json_schema', schema: structuredOutputSchema(task.reply) },
    };
  } else {
    request.tools = [
      {
        name: task.tool.name,
        description: task.tool.description,
        input_schema: toolInputSchema(task.reply),
      },
    ];
    // Without a forced choice the instruction to call the tool is all there is.
    if (mechanism === 'forced-tool') request.tool_choice = { type: 'tool', name: task.tool.name };
    else request.messages = [{ role: 'user', content: `${prompt.user}\n\n${callTheTool(task)}` }];
  }
  if (profile.effort) request.output_config = { ...request.output_config, effort };
  if (profile.adaptiveThinking) request.thinking = { type: 'adaptive' };
  markCacheablePrefix(request, prompt, profile);
  return request;
}

/**
 * Marks the longest prefix that repeats across calls (tools, system prompt, output format, then
 * the user turn's fixed head) as a cache breakpoint, but only when it reaches the model's minimum
 * cacheable length: below it the mark does nothing but suggest a saving that never happens.
 */
function markCacheablePrefix(
  request: MessageCreateParamsNonStreaming,
  prompt: LlmPrompt,
  profile: ModelProfile,
): void {
  const stable = JSON.stringify([request.system, request.tools, request.output_config]);
  const head = prompt.userHead && prompt.user.startsWith(prompt.userHead) ? prompt.userHead : '';
  const cache = { cache_control: { type: 'ephemeral' as const } };
  if (head && typicalTokens(stable + head, profile) >= profile.minCacheableTokens) {
    const [turn] = request.messages;
    if (turn && typeof turn.content === 'string') {
      const rest = turn.content.slice(head.length);
      turn.content = [
        { type: 'text', text: head, ...cache },
        ...(rest ? [{ type: 'text' as const, text: rest }] : []),
      ];
    }
  } else if (typicalTokens(stable, profile) >= profile.minCacheableTokens) {
    (request.system as TextBlockParam[])[0] = { type: 'text', text: prompt.system, ...cache };
  }
}

/** Tokens a text typically makes: four characters a token on the 4.x tokenizer, times its factor. */
export function typicalTokens(text: string, profile: ModelProfile): number {
  return Math.ceil((text.length / 4) * profile.tokenizerFactor);
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

export type TaskReply<O> =
  | { readonly ok: true; readonly value: O }
  | {
      readonly ok: false;
      readonly problem: string;
      /** The model declined; asking again is pointless. */
      readonly refused?: boolean;
      /** Cut off at max_tokens: ask again with more room rather than correct. */
      readonly cutOff?: boolean;
      /** The turns that show the model its reply and what was wrong with it. */
      readonly correction: MessageParam[];
    };

function refusalProblem(message: Message): string {
  const details = (
    message as { stop_details?: { category?: string | null; explanation?: string | null } | null }
  ).stop_details;
  const category = details?.category ? ` (${details.category})` : '';
  const explanation = details?.explanation ? `: ${details.explanation}` : '';
  return `the model declined to answer${category}${explanation}`;
}

const textOf = (message: Message) =>
  message.content
    .flatMap((b) => (b.type === 'text' ? [b.text] : []))
    .join('')
    .trim();

/**
 * The task's reply in a message, validated against its zod schema. Content is read by block
 * type: thinking blocks and any text around the JSON are skipped.
 */
export function readTaskReply<I, O>(
  task: LlmTask<I, O>,
  message: Message,
  mechanism: ReplyMechanism,
): TaskReply<O> {
  if (message.stop_reason === 'refusal') {
    return { ok: false, problem: refusalProblem(message), refused: true, correction: [] };
  }
  const cutOff = message.stop_reason === 'max_tokens';
  const suffix = cutOff ? ' (the reply was cut off at max_tokens)' : '';
  const block = message.content.find(
    (b): b is ToolUseBlock => b.type === 'tool_use' && b.name === task.tool.name,
  );
  if (block) return readToolInput(task, block, suffix, cutOff);
  const text = textOf(message);
  const said: ContentBlockParam[] = text ? [{ type: 'text', text }] : [];
  const asAssistant: MessageParam[] = said.length ? [{ role: 'assistant', content: said }] : [];
  let json: unknown;
  try {
    json = extractJson(text);
  } catch {
    const problem = text
      ? `the reply is not JSON${suffix}`
      : `the reply has no answer (stop_reason ${message.stop_reason})${suffix}`;
    const ask =
      mechanism === 'structured-output'
        ? 'Answer again with only the JSON object the output format describes.'
        : callTheTool(task);
    return {
      ok: false,
      problem,
      cutOff,
      correction: [...asAssistant, { role: 'user', content: ask }],
    };
  }
  const parsed = task.reply.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problem = `${shapeProblem(parsed.error)}${suffix}`;
  const ask = `That answer is invalid: ${problem}. Answer again with a corrected JSON object.`;
  return {
    ok: false,
    problem,
    cutOff,
    correction: [...asAssistant, { role: 'user', content: ask }],
  };
}

function readToolInput<I, O>(
  task: LlmTask<I, O>,
  block: ToolUseBlock,
  suffix: string,
  cutOff: boolean,
): TaskReply<O> {
  const parsed = task.reply.safeParse(block.input);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problem = `${shapeProblem(parsed.error)}${suffix}`;
  return {
    ok: false,
    problem,
    cutOff,
    // Echo only the call itself: response-only fields (caller, ...) are not valid as input.
    correction: [
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: block.id, name: block.name, input: block.input }],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: block.id,
            is_error: true,
            content: `The input does not match the tool's schema: ${problem}. Call ${task.tool.name} again with corrected input.`,
          },
        ],
      },
    ],
  };
}
