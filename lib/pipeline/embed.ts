import type { Embedder } from '../embed/types.js';
import type { RecordCache } from '../store/types.js';
import { hashParts } from '../util/hash.js';
import { type ProgressReporter, silentProgress } from './types.js';

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

const EMBED_CHUNK = 512;

export interface EmbedResult {
  readonly vectors: Float32Array[];
  readonly reused: number;
}

/**
 * Embeds texts, reusing cached vectors keyed by embedder and text. Embedders whose vectors
 * depend on the whole batch (TF-IDF) are called once on all texts and not cached per text.
 */
export async function embedTexts(
  texts: readonly string[],
  deps: { readonly embedder: Embedder; readonly cache?: RecordCache<string> | undefined },
  options: { readonly stage?: string; readonly progress?: ProgressReporter } = {},
): Promise<EmbedResult> {
  const { embedder } = deps;
  const progress = options.progress ?? silentProgress;
  const cache = embedder.contextual ? undefined : deps.cache;
  const keys = texts.map((text) => hashParts(embedder.id, text));
  const vectors: (Float32Array | undefined)[] = keys.map((key) => {
    const hit = cache?.get(key);
    return hit === undefined ? undefined : vectorFromBase64(hit);
  });
  const missing = vectors.flatMap((v, i) => (v === undefined ? [i] : []));
  const reused = texts.length - missing.length;

  progress.start(options.stage ?? 'embed', texts.length);
  progress.tick(reused);
  // Unique texts only: duplicate summaries are common and cost the same vector.
  const uniqueTexts = [...new Set(missing.map((i) => texts[i] as string))];
  const byText = new Map<string, Float32Array>();
  // Chunks are cached as they finish, so a killed run loses at most the chunk in flight.
  const chunkSize = cache ? EMBED_CHUNK : uniqueTexts.length;
  for (let start = 0; start < uniqueTexts.length; start += chunkSize) {
    const chunk = uniqueTexts.slice(start, start + chunkSize);
    const fresh = await embedder.embed(chunk, (done) => progress.tick(reused + start + done));
    for (const [i, text] of chunk.entries()) {
      const vector = fresh[i];
      if (!vector)
        throw new Error(`the embedder returned ${fresh.length} vectors for ${chunk.length} texts`);
      byText.set(text, vector);
      await cache?.set(hashParts(embedder.id, text), vectorToBase64(vector));
    }
  }
  for (const i of missing) vectors[i] = byText.get(texts[i] as string);
  progress.finish();
  return { vectors: vectors as Float32Array[], reused };
}
