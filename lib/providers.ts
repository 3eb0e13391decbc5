import type { ClioConfig } from './config/index.js';
import { createApiEmbedder } from './embed/api.js';
import { createOfflineEmbedder } from './embed/offline.js';
import type { Embedder } from './embed/types.js';
import { AnthropicLlm, claudeOptionsFromConfig, createAnthropicBatches } from './llm/anthropic.js';
import type { ClaudeBatches } from './llm/batch.js';
import { createBedrockLlm } from './llm/bedrock.js';
import { withBudget } from './llm/budget.js';
import { OfflineLlm } from './llm/offline.js';
import type { Llm } from './llm/types.js';
import { ClioError } from './util/errors.js';

/** The embedder the config asks for: offline (USE lite or TF-IDF) or an embeddings API. */
export function createEmbedder(config: ClioConfig): Embedder {
  const { provider } = config.embedder;
  if (provider === 'offline') return createOfflineEmbedder('use-lite');
  if (provider === 'tfidf') return createOfflineEmbedder('tfidf-lsa');
  return createApiEmbedder(config.embedder);
}

/**
 * The LLM the config asks for. `auto` means Claude through the Anthropic API when
 * `ANTHROPIC_API_KEY` is set, else the offline provider; a named provider never falls back.
 * With `llm.budget_usd`, calls stop once the budget is spent.
 */
export function createLlm(config: ClioConfig, embedder: Embedder, env = process.env): Llm {
  const { provider, budget_usd } = config.llm;
  const options = claudeOptionsFromConfig(config.llm);
  let llm: Llm;
  if (provider === 'anthropic' || (provider === 'auto' && env.ANTHROPIC_API_KEY)) {
    if (!env.ANTHROPIC_API_KEY) {
      throw new ClioError(
        'llm.provider "anthropic" needs ANTHROPIC_API_KEY in the environment or a .env file',
      );
    }
    llm = new AnthropicLlm({ ...options, apiKey: env.ANTHROPIC_API_KEY });
  } else if (provider === 'bedrock') {
    llm = createBedrockLlm({ ...options, region: config.llm.region ?? env.AWS_REGION });
  } else {
    llm = new OfflineLlm({ embedder });
  }
  return budget_usd === undefined ? llm : withBudget(llm, budget_usd);
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
  return createAnthropicBatches({
    ...claudeOptionsFromConfig(config.llm),
    apiKey: env.ANTHROPIC_API_KEY,
  });
}
