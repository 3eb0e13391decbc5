import type { ClioConfig, LlmConfig } from './config/index.js';
import { createApiEmbedder } from './embed/api.js';
import { createOfflineEmbedder } from './embed/offline.js';
import type { Embedder } from './embed/types.js';
import { AnthropicLlm, claudeOptionsFromConfig, createAnthropicBatches } from './llm/anthropic.js';
import type { ClaudeBatches } from './llm/batch.js';
import { createBedrockLlm } from './llm/bedrock.js';
import { ClaudeLlm, modelFor } from './llm/claude.js';
import { type BudgetAccount, UsageLedger } from './llm/ledger.js';
import { OfflineLlm } from './llm/offline.js';
import { type PriceTable, priceOf } from './llm/pricing.js';
import type { Llm } from './llm/types.js';
import { ClioError } from './util/errors.js';

/** The embedder the config asks for: offline (USE lite or TF-IDF) or an embeddings API. */
export function createEmbedder(config: ClioConfig): Embedder {
  const { provider } = config.embedder;
  if (provider === 'offline') return createOfflineEmbedder('use-lite');
  if (provider === 'tfidf') return createOfflineEmbedder('tfidf-lsa');
  return createApiEmbedder(config.embedder);
}

/** `llm.prices` as the price table takes them (cache prices default to 1.25× and 0.1× input). */
export function configPrices(llm: LlmConfig): PriceTable {
  return Object.fromEntries(
    Object.entries(llm.prices ?? {}).map(([model, p]) => [
      model,
      {
        input: p.input,
        output: p.output,
        cacheWrite: p.cache_write ?? p.input * 1.25,
        cacheRead: p.cache_read ?? p.input * 0.1,
      },
    ]),
  );
}

/**
 * The run's ledger: `llm.budget_usd` and `llm.prices` from the config; with `account`, the
 * budget is shared with the run's other processes.
 */
export function createLedger(config: ClioConfig, account?: BudgetAccount): UsageLedger {
  return new UsageLedger({
    budgetUsd: config.llm.budget_usd,
    prices: configPrices(config.llm),
    account: config.llm.budget_usd === undefined ? undefined : account,
  });
}

/**
 * The LLM the config asks for. `auto` means Claude through the Anthropic API when
 * `ANTHROPIC_API_KEY` is set, else the offline provider; a named provider never falls back.
 * Every billed response is charged to `ledger` (a fresh one from the config by default), which
 * also keeps `llm.budget_usd`.
 */
export interface CreateLlmOptions {
  /**
   * Where `auto` with no key should fail rather than run offline (on AWS a missing secret is a
   * mistake, not a choice); the message says how to set the key. Default: run offline.
   */
  readonly noKeyForAuto?: string | undefined;
}

export function createLlm(
  config: ClioConfig,
  embedder: Embedder,
  env = process.env,
  ledger = createLedger(config),
  options: CreateLlmOptions = {},
): Llm {
  const { provider } = config.llm;
  if (provider === 'auto' && !env.ANTHROPIC_API_KEY && options.noKeyForAuto) {
    throw new ClioError(
      `llm.provider is "auto" and no ANTHROPIC_API_KEY is set: ${options.noKeyForAuto}, or set "llm": {"provider": "offline"} to run without a model`,
    );
  }
  const claude = { ...claudeOptionsFromConfig(config.llm), ledger };
  let llm: Llm;
  if (provider === 'anthropic' || (provider === 'auto' && env.ANTHROPIC_API_KEY)) {
    if (!env.ANTHROPIC_API_KEY) {
      throw new ClioError(
        'llm.provider "anthropic" needs ANTHROPIC_API_KEY in the environment or a .env file',
      );
    }
    llm = new AnthropicLlm({ ...claude, apiKey: env.ANTHROPIC_API_KEY });
  } else if (provider === 'bedrock') {
    llm = createBedrockLlm({ ...claude, region: config.llm.region ?? env.AWS_REGION });
  } else {
    return new OfflineLlm({ embedder, ledger });
  }
  assertPriced(config, llm);
  return llm;
}

/** A budget cannot be kept for a model whose price is unknown: refused before anything is spent. */
function assertPriced(config: ClioConfig, llm: Llm): void {
  if (config.llm.budget_usd === undefined || !(llm instanceof ClaudeLlm)) return;
  const { models } = llm.settings;
  const prices = configPrices(config.llm);
  for (const model of new Set([modelFor(models, 'summarize'), modelFor(models, 'name')])) {
    if (!priceOf(model, prices)) {
      throw new ClioError(
        `llm.budget_usd needs a price for ${model}, which the built-in table does not know: add it under llm.prices, e.g. {"${model}": {"input": 1, "output": 5}} (US dollars per million tokens)`,
      );
    }
  }
}

/** Message Batches for the summaries when `llm.batch` is set (the direct Anthropic API only). */
export function createSummaryBatches(
  config: ClioConfig,
  llm: Llm,
  env = process.env,
): ClaudeBatches | undefined {
  if (!config.llm.batch) return undefined;
  if (!llm.id.startsWith('anthropic:')) {
    throw new ClioError(
      `llm.batch needs the Anthropic API (llm.provider "anthropic"); this run uses ${llm.id}`,
    );
  }
  return createAnthropicBatches(
    { ...claudeOptionsFromConfig(config.llm), apiKey: env.ANTHROPIC_API_KEY },
    undefined,
    llm.ledger,
  );
}
