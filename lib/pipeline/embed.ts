import type { Embedder } from '../embed/types.js';
import { type ProgressReporter, silentProgress } from './types.js';

export interface EmbedResult {
  readonly vectors: Float32Array[];
  /** Vectors served from the embedder's cache, when it has one. */
  readonly reused: number;
}

/** The embed stage: every summary to a vector, in one call so batch-fitted embedders see all. */
export async function embedTexts(
  texts: readonly string[],
  embedder: Embedder,
  options: { readonly stage?: string; readonly progress?: ProgressReporter } = {},
): Promise<EmbedResult> {
  const progress = options.progress ?? silentProgress;
  const hitsBefore = embedder.cacheStats?.hits ?? 0;
  progress.start(options.stage ?? 'embed', texts.length);
  const vectors = await embedder.embed(texts, (done) => progress.tick(done));
  progress.finish();
  return { vectors, reused: (embedder.cacheStats?.hits ?? 0) - hitsBefore };
}
