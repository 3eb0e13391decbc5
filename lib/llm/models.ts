/**
 * What each Claude model accepts and costs, in one table, so no request builder guesses from a
 * model id. Sources: Anthropic's models overview, pricing and migration pages (checked 2026-12);
 * see the README's model table.
 */

/** How a task's reply shape is asked for. */
export type ReplyMechanism =
  /** `output_config.format` with the task's JSON Schema: constrained decoding, a JSON text block. */
  | 'structured-output'
  /** One tool whose input schema is the reply, forced with `tool_choice`. */
  | 'forced-tool'
  /**
   * One tool the model is told to call, `tool_choice` left to it: for models that reject a
   * forced choice where structured outputs are not offered (5.x on Bedrock).
   */
  | 'offered-tool';

export type Effort = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** US dollars per million tokens. */
export interface TokenPrices {
  readonly input: number;
  readonly output: number;
  /** Writing the 5-minute prompt cache. */
  readonly cacheWrite: number;
  /** Reading the prompt cache. */
  readonly cacheRead: number;
}

export interface ModelPrice extends TokenPrices {
  /**
   * Prompts longer than `aboveTokens` (input + cache reads + cache writes of one request) are
   * billed at these prices for the whole request.
   */
  readonly longPrompt?: TokenPrices & { readonly aboveTokens: number };
}

export interface ModelProfile {
  /** The bare model name, e.g. `claude-haiku-5-5`. */
  readonly name: string;
  /** Takes `output_config.format` on the Anthropic API. */
  readonly structuredOutputs: boolean;
  /** Takes `output_config.format` on Bedrock too (the 4.5 and 4.6 models only). */
  readonly structuredOutputsOnBedrock: boolean;
  /** Accepts a forced `tool_choice` (`any` or a named tool); Sonnet and Opus 5.5 answer 400. */
  readonly forcedToolChoice: boolean;
  /** Accepts `output_config.effort`. */
  readonly effort: boolean;
  /**
   * Thinks adaptively by default; `thinking: {type: "disabled"}` and thinking budgets are
   * rejected, so requests say `{type: "adaptive"}` and bound it with `effort`.
   */
  readonly adaptiveThinking: boolean;
  /** Tokens this model's tokenizer makes of a text, relative to the 4.x tokenizer's count. */
  readonly tokenizerFactor: number;
  /** The shortest prompt prefix the model caches; shorter prefixes are never cached. */
  readonly minCacheableTokens: number;
  /** Tokens of input and output one request may hold (the context window). */
  readonly contextWindow: number;
  /** List price; undefined when unknown (never priced as zero). */
  readonly price: ModelPrice | undefined;
}

const price = (input: number, output: number, longPrompt?: ModelPrice['longPrompt']) => ({
  input,
  output,
  cacheWrite: input * 1.25,
  cacheRead: input * 0.1,
  ...(longPrompt ? { longPrompt } : {}),
});

/**
 * Every model in the table takes 200k tokens per request by default (1M-token windows are a
 * beta some models offer behind a header we do not send).
 */
const CONTEXT_WINDOW = 200_000;

/**
 * Room kept for the system prompt, the reply schema, thinking and the reply (a cut-off reply is
 * retried with up to 32k tokens of room).
 */
const RESERVED_TOKENS = 40_000;

/**
 * The most characters of prompt text a request to `profile`'s model can carry. A token is
 * counted per character (times the tokenizer's factor): English makes about four characters a
 * token, CJK and symbols about one, so a text under this bound fits whatever its script.
 */
export function maxPromptChars(profile: ModelProfile): number {
  return Math.floor((profile.contextWindow - RESERVED_TOKENS) / profile.tokenizerFactor);
}

/**
 * The 5.x generation: new tokenizer (≈ 30 % more tokens), adaptive thinking that cannot be
 * turned off, effort, a 512-token cache minimum, structured outputs on the API but not on Bedrock.
 */
const GEN5 = {
  structuredOutputs: true,
  structuredOutputsOnBedrock: false,
  forcedToolChoice: false,
  effort: true,
  adaptiveThinking: true,
  tokenizerFactor: 1.3,
  minCacheableTokens: 512,
  contextWindow: CONTEXT_WINDOW,
} as const;
/** 4.5 and 4.6: structured outputs everywhere, no thinking unless asked. */
const GEN45 = {
  structuredOutputs: true,
  structuredOutputsOnBedrock: true,
  forcedToolChoice: true,
  effort: false,
  adaptiveThinking: false,
  tokenizerFactor: 1,
  contextWindow: CONTEXT_WINDOW,
} as const;
/** Older models: tool use is the only way to a structured reply. */
const LEGACY = {
  structuredOutputs: false,
  structuredOutputsOnBedrock: false,
  forcedToolChoice: true,
  effort: false,
  adaptiveThinking: false,
  tokenizerFactor: 1,
  contextWindow: CONTEXT_WINDOW,
} as const;

const PROFILES: readonly ModelProfile[] = [
  {
    name: 'claude-haiku-5-5',
    ...GEN5,
    // The one 5.x model that still takes a forced tool choice (it then skips thinking).
    forcedToolChoice: true,
    price: {
      ...price(0.1, 0.5),
      cacheRead: 0.01,
      // Prompts over 100k tokens cost five times as much, on every rate.
      longPrompt: { aboveTokens: 100_000, ...price(0.5, 2.5), cacheRead: 0.05 },
    },
  },
  { name: 'claude-sonnet-5-5', ...GEN5, price: { ...price(2, 10), cacheRead: 0.1 } },
  { name: 'claude-opus-5-5', ...GEN5, price: { ...price(4, 20), cacheRead: 0.2 } },
  { name: 'claude-sonnet-5', ...GEN5, minCacheableTokens: 1024, price: price(2, 10) },
  { name: 'claude-opus-5', ...GEN5, price: price(5, 25) },
  { name: 'claude-haiku-4-5', ...GEN45, minCacheableTokens: 4096, price: price(1, 5) },
  {
    name: 'claude-sonnet-4-5',
    ...GEN45,
    minCacheableTokens: 1024,
    price: price(3, 15, { aboveTokens: 200_000, ...price(6, 22.5) }),
  },
  {
    name: 'claude-sonnet-4-6',
    ...GEN45,
    effort: true,
    // Documented as 1,024 in one place and 2,048 in another: the larger is the safe side.
    minCacheableTokens: 2048,
    price: price(3, 15),
  },
  {
    name: 'claude-opus-4-5',
    ...GEN45,
    effort: true,
    minCacheableTokens: 4096,
    price: price(5, 25),
  },
  {
    name: 'claude-opus-4-6',
    ...GEN45,
    effort: true,
    minCacheableTokens: 4096,
    price: price(5, 25),
  },
  { name: 'claude-opus-4-1', ...GEN45, minCacheableTokens: 1024, price: price(15, 75) },
  {
    name: 'claude-sonnet-4',
    ...LEGACY,
    minCacheableTokens: 1024,
    price: price(3, 15, { aboveTokens: 200_000, ...price(6, 22.5) }),
  },
  { name: 'claude-opus-4', ...LEGACY, minCacheableTokens: 1024, price: price(15, 75) },
  { name: 'claude-3-7-sonnet', ...LEGACY, minCacheableTokens: 1024, price: price(3, 15) },
  { name: 'claude-3-5-haiku', ...LEGACY, minCacheableTokens: 2048, price: price(0.8, 4) },
];

const BY_NAME = new Map(PROFILES.map((p) => [p.name, p]));

/**
 * The table's name of a model id: the API's dated ids (`claude-haiku-4-5-20251001`) and Bedrock's
 * model and inference-profile ids (`global.anthropic.claude-haiku-4-5-20251001-v1:0`) map to the
 * bare name.
 */
export function canonicalModel(model: string): string {
  return model
    .replace(/^(?:global|us|eu|apac|jp|au|ca|us-gov)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/-\d{8}$/, '')
    .replace(/-latest$/, '');
}

/**
 * The profile of a model id. A model the table does not know gets the rules of its generation
 * (read from `claude-<family>-<major>[-<minor>]`), the newest generation's when none can be read,
 * and no price, so its cost is reported as unknown rather than as zero.
 */
export function modelProfile(model: string): ModelProfile {
  const name = canonicalModel(model);
  const known = BY_NAME.get(name);
  if (known) return known;
  const major = Number(/^claude-(?:[a-z]+-)?(\d+)/.exec(name)?.[1] ?? Number.NaN);
  const rules = Number.isNaN(major) || major >= 5 ? GEN5 : major === 4 ? GEN45 : LEGACY;
  return { name, minCacheableTokens: 4096, ...rules, price: undefined };
}

/**
 * How to ask `profile`'s model for a structured reply through `provider`: structured outputs
 * wherever offered; else a forced tool; else (5.x on Bedrock, Sonnet and Opus 5.5) one tool the
 * model is told to call.
 */
export function replyMechanism(provider: string, profile: ModelProfile): ReplyMechanism {
  const structured =
    provider === 'bedrock' ? profile.structuredOutputsOnBedrock : profile.structuredOutputs;
  if (structured) return 'structured-output';
  return profile.forcedToolChoice ? 'forced-tool' : 'offered-tool';
}

/** The models the table knows, for documentation and tests. */
export const knownModels = (): readonly ModelProfile[] => PROFILES;
