import type { ClioConfig } from './config/index.js';
import { createApiEmbedder } from './embed/api.js';
import { createOfflineEmbedder } from './embed/offline.js';
import type { Embedder } from './embed/types.js';
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
 * The LLM the config asks for. `auto` means a real model when its key is set, else offline; a
 * provider named explicitly but not yet built is an error, never a silent fallback.
 */
export function createLlm(config: ClioConfig, embedder: Embedder): Llm {
  const { provider } = config.llm;
  if (provider === 'offline' || provider === 'auto') return new OfflineLlm({ embedder });
  throw new ClioError(
    `llm.provider "${provider}" is not available in this version; use "offline" or "auto"`,
  );
}
