import type { RecordCache } from '../store/types.js';
import { hashParts } from '../util/hash.js';
import type { Embedder } from './types.js';

/** Float32 vectors travel through JSON caches as base64 of their bytes. */
export function vectorToBase64(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function vectorFromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/**
 * Texts per call to the wrapped embedder, each call's vectors persisted as soon as it returns.
 * Calls are sized to take about `saveEveryMs`, so an interrupted run loses at most a few seconds
 * of embedding: a fast API embedder soon gets the largest calls (which fill its parallel
 * requests), a local model on two cores small ones. Sizes are multiples of the smallest, which
 * is also the first call's, since nothing is known of the embedder's speed yet; 64 keeps the
 * local model's workers (2 × 32 texts) busy.
 */
export const CHUNK_SIZES = { min: 64, max: 512 } as const;
const SAVE_EVERY_MS = 2000;

/** The next call's size, from how fast the last one went. */
export function nextChunkSize(texts: number, tookMs: number, saveEveryMs = SAVE_EVERY_MS): number {
  const { min, max } = CHUNK_SIZES;
  const fitting = Math.floor((texts / Math.max(tookMs, 1)) * saveEveryMs);
  return Math.min(max, Math.max(min, fitting - (fitting % min)));
}

/**
 * An embedder that never pays twice for a text: vectors are cached under (embedder id, text),
 * duplicates within a call are embedded once, and new vectors are persisted chunk by chunk (see
 * `CHUNK_SIZES`), so a killed run loses at most the chunk in flight. Every user of the embedder
 * in a run (the offline partition picker, the embed stage) shares the one cache. Embedders whose
 * vectors depend on the whole call (`contextual`, e.g. TF-IDF) are passed through uncached.
 */
export class CachedEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  readonly contextual: boolean | undefined;
  readonly cacheStats = { hits: 0, misses: 0 };

  constructor(
    private readonly inner: Embedder,
    private readonly cache: RecordCache<string>,
  ) {
    this.id = inner.id;
    this.dimensions = inner.dimensions;
    this.contextual = inner.contextual;
  }

  warmup(): Promise<unknown> {
    return this.inner.warmup?.() ?? Promise.resolve();
  }

  async embed(
    texts: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Float32Array[]> {
    if (this.contextual) return this.inner.embed(texts, onProgress);
    const key = (text: string) => hashParts(this.id, text);
    const found = new Map<string, Float32Array>();
    for (const text of texts) {
      const hit = this.cache.get(key(text));
      if (hit !== undefined) found.set(text, vectorFromBase64(hit));
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    const reused = texts.length - texts.filter((t) => !found.has(t)).length;
    this.cacheStats.hits += reused;
    this.cacheStats.misses += texts.length - reused;
    onProgress?.(reused);
    let size: number = CHUNK_SIZES.min;
    for (let start = 0; start < missing.length; ) {
      const from = start;
      const chunk = missing.slice(from, from + size);
      start += chunk.length;
      const began = performance.now();
      const vectors = await this.inner.embed(chunk, (done) => onProgress?.(reused + from + done));
      if (vectors.length !== chunk.length) {
        throw new Error(`${this.id} returned ${vectors.length} vectors for ${chunk.length} texts`);
      }
      for (const [i, text] of chunk.entries()) {
        const vector = vectors[i] as Float32Array;
        found.set(text, vector);
        await this.cache.set(key(text), vectorToBase64(vector));
      }
      size = nextChunkSize(chunk.length, performance.now() - began);
    }
    return texts.map((text) => found.get(text) as Float32Array);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
