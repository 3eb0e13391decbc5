/** Turns texts into fixed-length vectors; similar meaning gives a high cosine similarity. */
export interface Embedder {
  /** Stable identity of the model and its settings; part of every embedding cache key. */
  readonly id: string;
  readonly dimensions: number;
  /**
   * True when a text's vector depends on the other texts of the call (e.g. TF-IDF fitted on
   * them): such vectors cannot be cached per text, and all texts must go in one call.
   */
  readonly contextual?: boolean | undefined;
  /** Present on a caching embedder: texts served from its cache vs. computed, so far. */
  readonly cacheStats?: { readonly hits: number; readonly misses: number };
  /**
   * Embeds `texts` in order, returning one unit-length vector per text.
   * `onProgress(done)` may be called as batches finish.
   */
  embed(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]>;
  /**
   * Loads the model ahead of the first `embed` (while the summaries are being made, say), where
   * loading is slow enough to matter. Its failure needs no handling: `embed` meets it again.
   */
  warmup?(): Promise<unknown>;
  /** Releases worker threads or sockets. Safe to call more than once. */
  close(): Promise<void>;
}
