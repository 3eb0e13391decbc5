import { canonicalModel, type ModelPrice, modelProfile, type TokenPrices } from './models.js';
import type { TokenUsage } from './types.js';

export type { ModelPrice } from './models.js';
export { canonicalModel } from './models.js';

/** Prices a config supplies (`llm.prices`), by model id or bare name; they win over the table. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** Message Batches cost half of every price. */
export const BATCH_DISCOUNT = 0.5;

/** The price of a model, from `overrides` first (exact id, then bare name), else the list. */
export function priceOf(model: string, overrides: PriceTable = {}): ModelPrice | undefined {
  return overrides[model] ?? overrides[canonicalModel(model)] ?? modelProfile(model).price;
}

export interface CostOptions {
  /** The usage came from Message Batches. */
  readonly batch?: boolean;
  readonly prices?: PriceTable | undefined;
}

type BilledTokens = Pick<
  TokenUsage,
  'inputTokens' | 'outputTokens' | 'cacheReadTokens' | 'cacheWriteTokens'
>;

/** The prompt length that decides a request's price tier: everything the model read. */
export const promptTokens = (usage: BilledTokens): number =>
  usage.inputTokens + usage.cacheReadTokens + usage.cacheWriteTokens;

/** The prices one request of `usage` pays: the long-prompt tier when its prompt is over it. */
export function tierFor(price: ModelPrice, usage: BilledTokens): TokenPrices {
  const long = price.longPrompt;
  return long && promptTokens(usage) > long.aboveTokens ? long : price;
}

/**
 * US dollars for ONE request's `usage` on `model`, or undefined when the model has no known price
 * (the caller says so rather than report $0). Tiers are per request, so usage summed over many
 * requests must not be priced with this in one go.
 */
export function requestCost(
  model: string,
  usage: BilledTokens,
  options: CostOptions = {},
): number | undefined {
  const price = priceOf(model, options.prices);
  if (!price) return undefined;
  const tier = tierFor(price, usage);
  const dollars =
    (usage.inputTokens * tier.input +
      usage.outputTokens * tier.output +
      usage.cacheWriteTokens * tier.cacheWrite +
      usage.cacheReadTokens * tier.cacheRead) /
    1_000_000;
  return options.batch ? dollars * BATCH_DISCOUNT : dollars;
}

/**
 * The most a request can cost: every prompt token at the dearest input rate (a cache write), and
 * `maxTokens` of output.
 */
export function worstCaseCost(
  model: string,
  promptTokenCount: number,
  maxTokens: number,
  options: CostOptions = {},
): number | undefined {
  return requestCost(
    model,
    {
      inputTokens: 0,
      outputTokens: maxTokens,
      cacheReadTokens: 0,
      cacheWriteTokens: promptTokenCount,
    },
    options,
  );
}
