import type { TokenUsage } from './types.js';

/** US dollars per million tokens. */
export interface ModelPrice {
  readonly input: number;
  readonly output: number;
  /** Writing the prompt cache (5-minute entries, which is what `ephemeral` asks for): 1.25 × input. */
  readonly cacheWrite: number;
  /** Reading the prompt cache: 0.1 × input. */
  readonly cacheRead: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

/**
 * Anthropic's list prices as of writing (2026-11, platform.claude.com pricing page) for the models
 * this tool defaults to and their neighbours; override with config when they change or when a
 * contract says otherwise. Bedrock's global endpoints charge the same; regional endpoints may
 * charge more. Prompts above 200k tokens (long-context pricing) are not modelled: ours are short.
 */
export const LIST_PRICES: PriceTable = {
  'claude-haiku-4-5': { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-sonnet-4-6': { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 },
  'claude-opus-4-5': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
  'claude-opus-4-6': { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 },
};

/** Message Batches cost half of every price above. */
export const BATCH_DISCOUNT = 0.5;

/**
 * The price-table name of a model id: the direct API's dated ids and Bedrock's model and
 * inference-profile ids (`global.anthropic.claude-haiku-4-5-20251001-v1:0`) map to the bare name.
 */
export function canonicalModel(model: string): string {
  return model
    .replace(/^(?:global|us|eu|apac|jp|au|ca|us-gov)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/-\d{8}$/, '');
}

/** The price of a model, from `overrides` first (exact id, then bare name), else the list. */
export function priceOf(model: string, overrides: PriceTable = {}): ModelPrice | undefined {
  const name = canonicalModel(model);
  return overrides[model] ?? overrides[name] ?? LIST_PRICES[name];
}

export interface CostOptions {
  /** The usage came from Message Batches. */
  readonly batch?: boolean;
  readonly prices?: PriceTable;
}

/**
 * US dollars for `usage` on `model`, or undefined when the model has no known price (the caller
 * should say so rather than report $0). `inputTokens` are the uncached input tokens, as the API
 * reports them.
 */
export function costOf(
  model: string,
  usage: Pick<TokenUsage, 'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'>,
  options: CostOptions = {},
): number | undefined {
  const price = priceOf(model, options.prices);
  if (!price) return undefined;
  const dollars =
    (usage.inputTokens * price.input +
      usage.outputTokens * price.output +
      usage.cacheWriteTokens * price.cacheWrite +
      usage.cacheReadTokens * price.cacheRead) /
    1_000_000;
  return options.batch ? dollars * BATCH_DISCOUNT : dollars;
}
