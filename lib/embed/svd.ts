import { mulberry32, normalGenerator } from '../util/random.js';
import { axpyRow, combine2Into, combineInto, crossProduct, forChunks } from './dense.js';
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
  /** Components found: min(k, cols), fewer when X has a smaller rank. */
  k: number;
  /** Right singular vectors, cols×k row-major (component c of term j at `j * k + c`). */
  components: Float64Array;
  singularValues: Float64Array;
}

/**
 * Top-`k` right singular vectors of a sparse X (n×m) by randomized subspace iteration (Halko,
 * Martinsson & Tropp 2011, algorithm 4.4) on XᵀX, with l = k + oversample random directions.
 * X is touched only through sparse products; the dense work (orthonormalisation, Rayleigh–Ritz,
 * O(m·l²)) is all on the vocabulary side (m terms), so its cost grows with the vocabulary cap
 * rather than with the number of texts. 100k short texts take ~10–20 s on one core. Orthonormalising after every product
 * keeps the weaker directions from being swamped by the first one.
 */
export function randomizedSvd(
  X: SparseMatrix,
  k: number,
  options: RandomizedSvdOptions = {},
): TruncatedSvd {
  const m = X.cols;
  const l = Math.min(m, k + (options.oversample ?? 10));
  if (l === 0 || X.rows === 0) {
    return { k: 0, components: new Float64Array(0), singularValues: new Float64Array(0) };
  }
  // Start from Xᵀ·Ω, Ω an n×l Gaussian drawn row by row: a random sample of the row space for
  // the price of one sparse product, without storing Ω.
  let Y = mulSparseTRandom(X, l, normalGenerator(mulberry32(options.seed ?? 42)));
  const iterations = 1 + Math.max(0, options.powerIterations ?? 2);
  let Q: Float64Array[] = [];
  for (let it = 0; it < iterations; it++) {
    Q = toColumns(Y, m, l);
    // Intermediate bases only need to be well conditioned; the last one must be orthonormal
    // to working precision for Rayleigh–Ritz.
    orthonormalize(Q, m, it === iterations - 1);
    Y = mulSparseT(X, mulSparse(X, toRowMajor(Q, m), l), l);
  }
  // Rayleigh–Ritz: the eigenvectors W of T = Qᵀ·XᵀX·Q = Qᵀ·Y rotate Q onto the singular
  // directions. T is symmetric, so only its upper triangle is computed.
  const T = crossProduct(Q, toColumns(Y, m, l), m, true);
  const eig = symmetricEigen(T, l);
  // Directions beyond the rank of X (few texts) carry only rounding noise: drop them.
  const top = Math.max(0, eig.values[0] ?? 0);
  let kk = Math.min(k, l);
  while (kk > 0 && !((eig.values[kk - 1] as number) > 1e-12 * top)) kk--;
  const V: Float64Array[] = Array.from({ length: kk }, () => new Float64Array(m));
  const W = Array.from({ length: kk }, (_, c) =>
    Float64Array.from(eig.vectors, (row) => row[c] as number),
  );
  forChunks(m, (start, end) => {
    let c = 0;
    for (; c + 1 < kk; c += 2) {
      combine2Into(col(V, c), col(V, c + 1), Q, col(W, c), col(W, c + 1), start, end);
    }
    if (c < kk) combineInto(col(V, c), Q, col(W, c), start, end);
  });
  for (const v of V) {
    // Singular vectors are defined up to sign; pinning the largest entry positive keeps
    // components stable across runs that differ only in rounding.
    let best = 0;
    for (let j = 0; j < m; j++)
      if (Math.abs(v[j] as number) > Math.abs(best)) best = v[j] as number;
    if (best < 0) for (let j = 0; j < m; j++) v[j] = -(v[j] as number);
  }
  const singularValues = Float64Array.from(eig.values.subarray(0, kk), (v) =>
    Math.sqrt(Math.max(0, v)),
  );
  return { k: kk, components: toRowMajor(V, m), singularValues };
}

/**
 * Orthonormalises columns in place by Cholesky QR: R from the Cholesky factor of the Gram
 * matrix, then Q = Y·R⁻¹. It does Gram–Schmidt's arithmetic as cache-friendly dot products and
 * updates, at the cost of squaring the condition number, which a second pass repairs. A column
 * that is (nearly) a combination of earlier ones is zeroed rather than blown up: the corpus
 * then has fewer independent directions than asked for, and those components come out as zeros.
 */
function orthonormalize(cols: Float64Array[], rows: number, lastPass: boolean): void {
  const w = cols.length;
  let passes = 1;
  for (let pass = 0; pass < passes; pass++) {
    const G = crossProduct(cols, cols, rows, true);
    const R = new Float64Array(w * w);
    for (let j = 0; j < w; j++) {
      let d = G[j * w + j] as number;
      for (let p = 0; p < j; p++) d -= (R[p * w + j] as number) ** 2;
      if (!(d > 1e-11 * (G[j * w + j] as number))) continue; // dependent: row of R stays 0
      const rjj = Math.sqrt(d);
      R[j * w + j] = rjj;
      for (let i = j + 1; i < w; i++) {
        let v = G[j * w + i] as number;
        for (let p = 0; p < j; p++) v -= (R[p * w + j] as number) * (R[p * w + i] as number);
        R[j * w + i] = v / rjj;
      }
    }
    solveInPlace(cols, R, rows);
    // One pass leaves Q orthogonal to about 1e-16·κ(Y)²; a second pass makes it exact. κ(R)
    // is at least the spread of R's diagonal, so skip the second pass only when that is small.
    if (!lastPass || pass > 0) continue;
    let min = Number.POSITIVE_INFINITY;
    let max = 0;
    for (let j = 0; j < w; j++) {
      const r = R[j * w + j] as number;
      if (r > 0) min = Math.min(min, r);
      max = Math.max(max, r);
    }
    if (max > 1e4 * min) passes = 2;
  }
}

/** Y ← Y·R⁻¹ for upper-triangular R, columns in pairs so each load feeds two of them. */
function solveInPlace(cols: Float64Array[], R: Float64Array, rows: number): void {
  const w = cols.length;
  // Column j of Y·R⁻¹ is (y_j − Σ_{p<j} R[p][j]·q_p) / R[j][j]. In a pair (j, j+1) the term
  // of q_j in column j+1 waits until q_j is final.
  const minus = Array.from({ length: w }, (_, j) =>
    Float64Array.from({ length: w }, (_, p) =>
      p < j && !(j % 2 === 1 && p === j - 1) ? -(R[p * w + j] as number) : 0,
    ),
  );
  const finish = (j: number, start: number, end: number): void => {
    const v = col(cols, j);
    const rjj = R[j * w + j] as number;
    if (rjj === 0) v.fill(0, start, end);
    else for (let i = start; i < end; i++) v[i] = (v[i] as number) / rjj;
  };
  forChunks(rows, (start, end) => {
    let j = 0;
    for (; j + 1 < w; j += 2) {
      combine2Into(
        col(cols, j),
        col(cols, j + 1),
        cols,
        col(minus, j),
        col(minus, j + 1),
        start,
        end,
      );
      finish(j, start, end);
      const r = -(R[j * w + j + 1] as number);
      if (r !== 0) axpyRow(col(cols, j + 1), start, col(cols, j), start, r, end - start);
      finish(j + 1, start, end);
    }
    if (j < w) {
      combineInto(col(cols, j), cols, col(minus, j), start, end);
      finish(j, start, end);
    }
  });
}

/** X · B for a dense B of X.cols×w (row-major); returns X.rows×w. */
export function mulSparse(X: SparseMatrix, B: Float64Array, w: number): Float64Array {
  const out = new Float64Array(X.rows * w);
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.rowPtr[i] as number, end = X.rowPtr[i + 1] as number; p < end; p++) {
      axpyRow(out, i * w, B, (X.colIdx[p] as number) * w, X.values[p] as number, w);
    }
  }
  return out;
}

/** Xᵀ · Z for a dense Z of X.rows×w (row-major); returns X.cols×w. */
function mulSparseT(X: SparseMatrix, Z: Float64Array, w: number): Float64Array {
  const out = new Float64Array(X.cols * w);
  for (let i = 0; i < X.rows; i++) {
    for (let p = X.rowPtr[i] as number, end = X.rowPtr[i + 1] as number; p < end; p++) {
      axpyRow(out, (X.colIdx[p] as number) * w, Z, i * w, X.values[p] as number, w);
    }
  }
  return out;
}

/** Xᵀ · Ω for an X.rows×w standard normal Ω whose rows are drawn as needed and then dropped. */
function mulSparseTRandom(X: SparseMatrix, w: number, gauss: () => number): Float64Array {
  const out = new Float64Array(X.cols * w);
  const omega = new Float64Array(w);
  for (let i = 0; i < X.rows; i++) {
    for (let c = 0; c < w; c++) omega[c] = gauss();
    for (let p = X.rowPtr[i] as number, end = X.rowPtr[i + 1] as number; p < end; p++) {
      axpyRow(out, (X.colIdx[p] as number) * w, omega, 0, X.values[p] as number, w);
    }
  }
  return out;
}

function toColumns(A: Float64Array, rows: number, w: number): Float64Array[] {
  const cols: Float64Array[] = [];
  for (let c = 0; c < w; c++) {
    const v = new Float64Array(rows);
    for (let r = 0; r < rows; r++) v[r] = A[r * w + c] as number;
    cols.push(v);
  }
  return cols;
}

function toRowMajor(cols: readonly Float64Array[], rows: number): Float64Array {
  const w = cols.length;
  const A = new Float64Array(rows * w);
  cols.forEach((v, c) => {
    for (let r = 0; r < rows; r++) A[r * w + c] = v[r] as number;
  });
  return A;
}

function col(cols: readonly Float64Array[], c: number): Float64Array {
  return cols[c] as Float64Array;
}
