import { randomizedSvd, type SparseMatrix } from './svd.js';
import { tokenize } from './tokenize.js';
import type { Embedder } from './types.js';

const DEFAULT_MAX_FEATURES = 50_000;

export interface TfidfOptions {
  /** Drop terms found in fewer texts. Default 2; falls back to 1 if nothing would be left. */
  minDf?: number;
  /** Keep at most this many terms, the most frequent (by document frequency). Default 50,000. */
  maxFeatures?: number;
  /**
   * Add bigrams of adjacent non-stop words. Default false: on both labelled sets they lowered
   * k-means NMI after LSA (Debian 0.254 → 0.246, support demo 0.415 → 0.388) and cost time.
   */
  bigrams?: boolean;
}

export interface Tfidf {
  /** texts×terms, each non-empty row L2-normalised. */
  matrix: SparseMatrix;
  terms: string[];
  idf: Float64Array;
}

/**
 * TF-IDF as scikit-learn's `TfidfVectorizer(sublinear_tf=True, smooth_idf=True)`:
 * tf = 1 + ln(count), idf = ln((1 + n) / (1 + df)) + 1, rows L2-normalised. A text with no
 * kept term is an empty row.
 */
export function buildTfidf(texts: readonly string[], options: TfidfOptions = {}): Tfidf {
  const bigrams = options.bigrams ?? false;
  // Provisional ids for every term seen, so each text is kept as compact (id, count) pairs.
  const ids = new Map<string, number>();
  const allTerms: string[] = [];
  let df = new Int32Array(1024);
  const docs: { ids: Int32Array; counts: Int32Array }[] = [];
  for (const text of texts) {
    const counts = new Map<number, number>();
    for (const term of tokenize(text, { bigrams })) {
      let id = ids.get(term);
      if (id === undefined) {
        id = allTerms.length;
        ids.set(term, id);
        allTerms.push(term);
        if (id >= df.length) {
          const grown = new Int32Array(df.length * 2);
          grown.set(df);
          df = grown;
        }
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of counts.keys()) df[id] = (df[id] as number) + 1;
    docs.push({ ids: Int32Array.from(counts.keys()), counts: Int32Array.from(counts.values()) });
  }

  const vocabulary = selectTerms(df, allTerms.length, options.minDf ?? 2, options.maxFeatures);
  const column = new Int32Array(allTerms.length).fill(-1);
  vocabulary.forEach((id, col) => {
    column[id] = col;
  });
  const n = texts.length;
  const idf = Float64Array.from(
    vocabulary,
    (id) => Math.log((1 + n) / (1 + (df[id] as number))) + 1,
  );

  const rowPtr = new Int32Array(n + 1);
  const colIdx: number[] = [];
  const values: number[] = [];
  docs.forEach((doc, i) => {
    const start = colIdx.length;
    let sq = 0;
    for (let p = 0; p < doc.ids.length; p++) {
      const col = column[doc.ids[p] as number] as number;
      if (col < 0) continue;
      const w = (1 + Math.log(doc.counts[p] as number)) * (idf[col] as number);
      colIdx.push(col);
      values.push(w);
      sq += w * w;
    }
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let p = start; p < values.length; p++) values[p] = (values[p] as number) * inv;
    rowPtr[i + 1] = colIdx.length;
  });
  return {
    matrix: {
      rows: n,
      cols: vocabulary.length,
      rowPtr,
      colIdx: Int32Array.from(colIdx),
      values: Float64Array.from(values),
    },
    terms: vocabulary.map((id) => allTerms[id] as string),
    idf,
  };
}

function selectTerms(df: Int32Array, count: number, minDf: number, maxFeatures?: number): number[] {
  const pick = (min: number): number[] => {
    const kept: number[] = [];
    for (let id = 0; id < count; id++) if ((df[id] as number) >= min) kept.push(id);
    return kept;
  };
  // A handful of texts may share no term at all; keeping singletons beats embedding nothing.
  let kept = pick(minDf);
  if (kept.length === 0 && minDf > 1) kept = pick(1);
  // Most frequent first (stable, so ties keep first-seen order and the result is
  // deterministic): the cap then drops the rarest terms, and the rows of frequent terms sit
  // together in the SVD's dense matrices, where the sparse products find them in cache.
  kept.sort((a, b) => (df[b] as number) - (df[a] as number));
  return kept.slice(0, maxFeatures ?? DEFAULT_MAX_FEATURES);
}

export interface TfidfLsaOptions extends TfidfOptions {
  /** Output dimensions. Default 256. */
  dimensions?: number;
  /** Seed of the random projection. Default 42. */
  seed?: number;
  /** Subspace iterations of the randomized SVD. Default 2. */
  powerIterations?: number;
}

/**
 * TF-IDF reduced by LSA (truncated SVD) to `dimensions`, then L2-normalised. Pure TypeScript,
 * deterministic, no model to load: the fallback when USE-lite cannot run, and a baseline.
 *
 * The vector space is fitted on the texts of each `embed()` call (vocabulary, idf and SVD), so
 * vectors from two separate calls are NOT comparable, and caching them per text across runs is
 * wrong unless the cache key covers the whole corpus. The pipeline embeds all summaries in one
 * call. If the corpus has fewer independent directions than `dimensions` (few texts or a small
 * vocabulary) the trailing coordinates are zero. A text with no known term gets one fixed
 * direction shared by all such texts, so they group together instead of scattering.
 */
export class TfidfLsaEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Vectors depend on the whole batch passed to `embed()`: never cache them per text. */
  readonly contextual = true;
  private readonly options: TfidfLsaOptions;

  constructor(options: TfidfLsaOptions = {}) {
    this.options = options;
    this.dimensions = options.dimensions ?? 256;
    const extras = [
      options.minDf !== undefined && options.minDf !== 2 ? `mindf${options.minDf}` : '',
      options.maxFeatures !== undefined ? `max${options.maxFeatures}` : '',
      options.bigrams ? 'bi' : '',
      options.seed !== undefined && options.seed !== 42 ? `seed${options.seed}` : '',
      options.powerIterations !== undefined && options.powerIterations !== 2
        ? `pi${options.powerIterations}`
        : '',
    ].filter(Boolean);
    this.id = [`tfidf-lsa-${this.dimensions}`, ...extras].join('-');
  }

  async embed(
    texts: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Float32Array[]> {
    const n = texts.length;
    if (n === 0) return [];
    const { matrix } = buildTfidf(texts, this.options);
    // Let timers and progress bars run between the two CPU-heavy phases.
    await new Promise((resolve) => setImmediate(resolve));
    const svd = randomizedSvd(matrix, this.dimensions, {
      seed: this.options.seed ?? 42,
      powerIterations: this.options.powerIterations ?? 2,
    });
    const d = this.dimensions;
    const k = svd.k;
    const V = svd.components;
    const fallback = new Float32Array(d).fill(1 / Math.sqrt(d));
    const out: Float32Array[] = [];
    const acc = new Float64Array(k);
    for (let i = 0; i < n; i++) {
      acc.fill(0);
      for (let p = matrix.rowPtr[i] as number, end = matrix.rowPtr[i + 1] as number; p < end; p++) {
        const v = matrix.values[p] as number;
        const base = (matrix.colIdx[p] as number) * k;
        for (let c = 0; c < k; c++) acc[c] = (acc[c] as number) + v * (V[base + c] as number);
      }
      let sq = 0;
      for (let c = 0; c < k; c++) sq += (acc[c] as number) ** 2;
      if (sq < 1e-24) {
        out.push(fallback.slice());
        continue;
      }
      const inv = 1 / Math.sqrt(sq);
      const vec = new Float32Array(d);
      for (let c = 0; c < k; c++) vec[c] = (acc[c] as number) * inv;
      out.push(vec);
    }
    onProgress?.(n);
    return out;
  }

  async close(): Promise<void> {}
}

/** Dense rows of a TF-IDF matrix, for baselines that cluster raw TF-IDF vectors. */
export function denseRows(matrix: SparseMatrix): Float32Array[] {
  const out: Float32Array[] = [];
  for (let i = 0; i < matrix.rows; i++) {
    const v = new Float32Array(matrix.cols);
    for (let p = matrix.rowPtr[i] as number; p < (matrix.rowPtr[i + 1] as number); p++) {
      v[matrix.colIdx[p] as number] = matrix.values[p] as number;
    }
    out.push(v);
  }
  return out;
}
