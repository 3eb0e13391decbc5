import { symmetricEigen } from './eigen.js';

/** Compressed sparse rows: row i holds `colIdx/values[rowPtr[i] .. rowPtr[i+1])`. */
export interface SparseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly rowPtr: Int32Array;
  readonly colIdx: Int32Array;
  readonly values: Float64Array;
}

export interface RandomizedSvdOptions {
  /** Extra random directions beyond `k`; they make the top `k` far more accurate. Default 10. */
  oversample?: number;
  /** Subspace iterations on XᵀX after the first product. Default 2. */
  powerIterations?: number;
  seed?: number;
}

export interface TruncatedSvd {
  /** Number of components found: min(k, cols, k + oversample). */
  k: number;
  /** Right singular vectors, cols×k row-major (component c of term j at `j * k + c`). */
  components: Float64Array;
  singularValues: Float64Array;
}

/**
 * Top-`k` right singular vectors of a sparse X (n×m) by randomized subspace iteration (Halko,
 * Martinsson & Tropp 2011) on XᵀX. All dense work is on the m side (vocabulary) or in the
 * l×l Rayleigh–Ritz matrix, and X is only touched through sparse products, so 100k short texts
 * cost a few seconds. Orthonormalising after every product keeps the small singular
 * directions from being swamped by the first one.
 */
export function randomizedSvd(
  X: SparseMatrix,
  k: number,
  options: RandomizedSvdOptions = {},
): TruncatedSvd {
  const m = X.cols;
  const l = Math.min(m, k + (options.oversample ?? 10));
  const kk = Math.min(k, l);
  if (l === 0 || X.rows === 0) {
    return { k: 0, components: new Float64Array(0), singularValues: new Float64Array(0) };
  }
  const gauss = gaussian(options.seed ?? 42);
  let Q = new Float64Array(m * l);
  for (let i = 0; i < Q.length; i++) Q[i] = gauss();
  const iterations = 1 + Math.max(0, options.powerIterations ?? 2);
  for (let it = 0; it < iterations; it++) {
    Q = mulSparseT(X, mulSparse(X, Q, l), l);
    orthonormalizeColumns(Q, m, l);
  }
  // Rayleigh–Ritz: eigenvectors of Qᵀ XᵀX Q = ZᵀZ rotate Q onto the singular directions.
  const Z = mulSparse(X, Q, l);
  const eig = symmetricEigen(gram(Z, X.rows, l), l);
  const components = new Float64Array(m * kk);
  for (let j = 0; j < m; j++) {
    const out = j * kk;
    for (let a = 0; a < l; a++) {
      const q = Q[j * l + a] as number;
      if (q === 0) continue;
      const w = eig.vectors[a] as Float64Array;
      for (let c = 0; c < kk; c++) components[out + c] = (components[out + c] as number) + q * (w[c] as number);
    }
  }
  fixSigns(components, m, kk);
  const singularValues = Float64Array.from(eig.values.subarray(0, kk), (v) => Math.sqrt(Math.max(0, v)));
  return { k: kk, components, singularValues };
}

/** X · B for a dense B of X.cols×w (row-major); returns X.rows×w. */
export function mulSparse(X: SparseMatrix, B: Float64Array, w: number): Float64Array {
  const out = new Float64Array(X.rows * w);
  for (let i = 0; i < X.rows; i++) {
    const o = i * w;
    for (let p = X.rowPtr[i] as number, end = X.rowPtr[i + 1] as number; p < end; p++) {
      const v = X.values[p] as number;
      const b = (X.colIdx[p] as number) * w;
      for (let c = 0; c < w; c++) out[o + c] = (out[o + c] as number) + v * (B[b + c] as number);
    }
  }
  return out;
}

/** Xᵀ · Z for a dense Z of X.rows×w (row-major); returns X.cols×w. */
function mulSparseT(X: SparseMatrix, Z: Float64Array, w: number): Float64Array {
  const out = new Float64Array(X.cols * w);
  for (let i = 0; i < X.rows; i++) {
    const z = i * w;
    for (let p = X.rowPtr[i] as number, end = X.rowPtr[i + 1] as number; p < end; p++) {
      const v = X.values[p] as number;
      const o = (X.colIdx[p] as number) * w;
      for (let c = 0; c < w; c++) out[o + c] = (out[o + c] as number) + v * (Z[z + c] as number);
    }
  }
  return out;
}

/**
 * Modified Gram–Schmidt on the columns of a rows×w row-major matrix, in place. Columns are
 * copied out first so the dot products run over contiguous memory. A column that is (nearly) a
 * combination of earlier ones is zeroed rather than blown up: the corpus then simply has fewer
 * independent directions than asked for, and those components come out as zeros.
 */
function orthonormalizeColumns(A: Float64Array, rows: number, w: number): void {
  const cols: Float64Array[] = [];
  for (let c = 0; c < w; c++) {
    const col = new Float64Array(rows);
    for (let r = 0; r < rows; r++) col[r] = A[r * w + c] as number;
    const before = norm(col);
    for (const prev of cols) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += (col[r] as number) * (prev[r] as number);
      if (dot === 0) continue;
      for (let r = 0; r < rows; r++) col[r] = (col[r] as number) - dot * (prev[r] as number);
    }
    const after = norm(col);
    const scale = after > 1e-10 * before && after > 0 ? 1 / after : 0;
    for (let r = 0; r < rows; r++) col[r] = (col[r] as number) * scale;
    cols.push(col);
  }
  for (let c = 0; c < w; c++) {
    const col = cols[c] as Float64Array;
    for (let r = 0; r < rows; r++) A[r * w + c] = col[r] as number;
  }
}

function norm(v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += (v[i] as number) * (v[i] as number);
  return Math.sqrt(s);
}

/** ZᵀZ (w×w) of a rows×w row-major Z, accumulating the upper triangle row by row. */
function gram(Z: Float64Array, rows: number, w: number): Float64Array {
  const G = new Float64Array(w * w);
  for (let r = 0; r < rows; r++) {
    const z = r * w;
    for (let a = 0; a < w; a++) {
      const za = Z[z + a] as number;
      if (za === 0) continue;
      const g = a * w;
      for (let b = a; b < w; b++) G[g + b] = (G[g + b] as number) + za * (Z[z + b] as number);
    }
  }
  for (let a = 0; a < w; a++) for (let b = 0; b < a; b++) G[a * w + b] = G[b * w + a] as number;
  return G;
}

// Singular vectors are defined up to sign; pinning the largest entry positive keeps components
// stable across runs that differ only in rounding.
function fixSigns(V: Float64Array, rows: number, k: number): void {
  for (let c = 0; c < k; c++) {
    let best = 0;
    for (let r = 0; r < rows; r++) {
      const v = V[r * k + c] as number;
      if (Math.abs(v) > Math.abs(best)) best = v;
    }
    if (best < 0) for (let r = 0; r < rows; r++) V[r * k + c] = -(V[r * k + c] as number);
  }
}

/** Seeded standard normal samples (mulberry32 + Box–Muller), so embeddings are reproducible. */
export function gaussian(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const radius = Math.sqrt(-2 * Math.log(uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}
