import { TfidfLsaEmbedder, type TfidfLsaOptions } from './tfidf.js';
import type { Embedder } from './types.js';
import { UseLiteEmbedder, type UseLiteOptions } from './use-lite.js';

export type OfflineEmbedderKind = 'use-lite' | 'tfidf-lsa';

export type OfflineEmbedderOptions<K extends OfflineEmbedderKind> = K extends 'use-lite'
  ? UseLiteOptions
  : TfidfLsaOptions;

/**
 * An embedder that needs no network and no API key.
 *
 * - `use-lite` (default): Universal Sentence Encoder lite, 512 dimensions, model files shipped
 *   in an npm package, run in worker threads. Captures meaning beyond shared words, so it
 *   clusters better (NMI 0.34 vs 0.23 on the Debian development set).
 * - `tfidf-lsa`: TF-IDF reduced by truncated SVD to 256 dimensions, pure TypeScript and
 *   instant to start, but fitted on each call's texts (`contextual`), so all texts must be
 *   embedded in one call and vectors from different calls are not comparable.
 */
export function createOfflineEmbedder<K extends OfflineEmbedderKind = 'use-lite'>(
  kind: K = 'use-lite' as K,
  options: OfflineEmbedderOptions<K> = {} as OfflineEmbedderOptions<K>,
): Embedder {
  if (kind === 'tfidf-lsa') return new TfidfLsaEmbedder(options as TfidfLsaOptions);
  return new UseLiteEmbedder(options as UseLiteOptions);
}
