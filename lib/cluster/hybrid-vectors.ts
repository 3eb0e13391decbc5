import { TfidfLsaEmbedder } from '../embed/tfidf.js';
import { nearestNeighbours } from './neighbours.js';
import { normalize } from './vectors.js';

/**
 * Weight of the run's own TF-IDF/LSA coordinates beside the embedding (both unit length).
 * `npm run bench -- quality`, top-level NMI over 8 seeds: 1.0 is best on the demo but worst on
 * the Debian descriptions, 0.3 trails on both; 0.6 is near the best on each.
 */
const LEXICAL_WEIGHT = 0.6;
const LEXICAL_DIMENSIONS = 256;
/**
 * Above this many items in a partition the hybrid vectors are not built: the second copy of the
 * data and the neighbour search would cost more memory and time than a ClusterLevel Lambda has
 * for a million items, and the embedding alone is clustered instead (with a warning).
 */
export const HYBRID_MAX_ITEMS = 250_000;
/** Neighbours averaged into each point: 4 measured best of 4, 8 and 16 on both labelled sets. */
const NEIGHBOURS = 4;

export interface HybridOptions {
  readonly seed: number;
  /** Weight of the lexical part; 0 leaves the embeddings alone. For benchmarks. */
  readonly lexicalWeight?: number;
  /** Neighbours averaged in; 0 turns smoothing off. For benchmarks. */
  readonly neighbours?: number;
}

/**
 * The vectors k-means clusters on when the run asks for `"cluster_vectors": "hybrid"`: each
 * item's embedding beside a down-weighted TF-IDF/LSA projection fitted on this run's summaries
 * (a small sentence encoder misses the rare, specific words that tell topics apart, and the
 * LSA part is fitted on exactly the texts being clustered), then averaged with its nearest
 * neighbours in that space, which pulls each point toward its local topic and damps the noise of
 * short texts. Only cluster membership is decided here: centroids, names, the map and run-to-run
 * matching stay in the embedder's space, so nothing stored depends on this run's fit.
 */
export async function hybridVectors(
  texts: readonly string[],
  embeddings: readonly Float32Array[],
  options: HybridOptions,
): Promise<Float32Array[]> {
  if (texts.length !== embeddings.length) {
    throw new Error(`hybridVectors: ${texts.length} texts for ${embeddings.length} vectors`);
  }
  if (embeddings.length < 3) return [...embeddings];
  const weight = options.lexicalWeight ?? LEXICAL_WEIGHT;
  const lexical =
    weight > 0
      ? await new TfidfLsaEmbedder({ dimensions: LEXICAL_DIMENSIONS, seed: options.seed }).embed(
          texts,
        )
      : undefined;
  const joined = lexical
    ? embeddings.map((embedding, i) => concatenate(embedding, lexical[i] as Float32Array, weight))
    : [...embeddings];
  const k = Math.min(options.neighbours ?? NEIGHBOURS, joined.length - 1);
  if (k < 1) return joined;
  const neighbours = await nearestNeighbours(joined, k, { seed: options.seed });
  return joined.map((point, i) => {
    const smoothed = Float32Array.from(point);
    for (let j = 0; j < k; j++) {
      const other = neighbours[i * k + j] as number;
      if (other < 0) continue;
      const row = joined[other] as Float32Array;
      for (let c = 0; c < smoothed.length; c++)
        smoothed[c] = (smoothed[c] as number) + (row[c] as number) / k;
    }
    return normalize(smoothed);
  });
}

function concatenate(a: Float32Array, b: Float32Array, weightOfB: number): Float32Array {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  for (let i = 0; i < b.length; i++) out[a.length + i] = (b[i] as number) * weightOfB;
  return normalize(out);
}
