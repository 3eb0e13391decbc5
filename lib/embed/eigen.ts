/**
 * Eigen-decomposition of a small dense symmetric matrix (the l×l Rayleigh–Ritz matrix of the
 * randomized SVD, l ≈ 266): Householder tridiagonalisation then implicit QL, ported from the
 * public-domain JAMA `EigenvalueDecomposition` (tred2/tql2). O(l³) and stable, so it takes
 * milliseconds where Jacobi sweeps would take a second.
 */
export interface SymmetricEigen {
  /** Eigenvalues, largest first. */
  values: Float64Array;
  /** `vectors[r][c]` is component r of the eigenvector for `values[c]`. */
  vectors: Float64Array[];
}

/** `matrix` is n×n row-major and must be symmetric; it is not modified. */
export function symmetricEigen(matrix: Float64Array, n: number): SymmetricEigen {
  const V: Float64Array[] = [];
  for (let i = 0; i < n; i++) V.push(matrix.slice(i * n, (i + 1) * n));
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n === 0) return { values: d, vectors: V };
  tred2(V, d, e, n);
  tql2(V, d, e, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => at(d, b) - at(d, a));
  const values = Float64Array.from(order, (i) => at(d, i));
  const vectors = V.map((row) => Float64Array.from(order, (i) => at(row, i)));
  return { values, vectors };
}

function at(a: Float64Array, i: number): number {
  return a[i] as number;
}

function row(V: Float64Array[], i: number): Float64Array {
  return V[i] as Float64Array;
}

// Indexed access below goes through helpers only where noUncheckedIndexedAccess needs it; the
// loops keep JAMA's structure so they can be checked against the original line by line.
function tred2(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  const last = row(V, n - 1);
  for (let j = 0; j < n; j++) d[j] = at(last, j);
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(at(d, k));
    if (scale === 0) {
      e[i] = at(d, i - 1);
      for (let j = 0; j < i; j++) {
        d[j] = at(row(V, i - 1), j);
        row(V, i)[j] = 0;
        row(V, j)[i] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = at(d, k) / scale;
        h += at(d, k) * at(d, k);
      }
      let f = at(d, i - 1);
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = at(d, j);
        const Vj = row(V, j);
        Vj[i] = f;
        g = at(e, j) + at(Vj, j) * f;
        for (let k = j + 1; k <= i - 1; k++) {
          const Vkj = at(row(V, k), j);
          g += Vkj * at(d, k);
          e[k] = at(e, k) + Vkj * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = at(e, j) / h;
        f += at(e, j) * at(d, j);
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = at(e, j) - hh * at(d, j);
      for (let j = 0; j < i; j++) {
        f = at(d, j);
        g = at(e, j);
        for (let k = j; k <= i - 1; k++) {
          const Vk = row(V, k);
          Vk[j] = at(Vk, j) - (f * at(e, k) + g * at(d, k));
        }
        d[j] = at(row(V, i - 1), j);
        row(V, i)[j] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    const Vi = row(V, i);
    last[i] = at(Vi, i);
    Vi[i] = 1;
    const h = at(d, i + 1);
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = at(row(V, k), i + 1) / h;
      for (let j = 0; j <= i; j++) {
        let g = 0;
        for (let k = 0; k <= i; k++) g += at(row(V, k), i + 1) * at(row(V, k), j);
        for (let k = 0; k <= i; k++) {
          const Vk = row(V, k);
          Vk[j] = at(Vk, j) - g * at(d, k);
        }
      }
    }
    for (let k = 0; k <= i; k++) row(V, k)[i + 1] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = at(last, j);
    last[j] = 0;
  }
  last[n - 1] = 1;
  e[0] = 0;
}

function tql2(V: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = at(e, i);
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = 2 ** -52;
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(at(d, l)) + Math.abs(at(e, l)));
    let m = l;
    while (m < n - 1 && Math.abs(at(e, m)) > eps * tst1) m++;
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 60) throw new Error('symmetricEigen: QL iteration did not converge');
        let g = at(d, l);
        let p = (at(d, l + 1) - g) / (2 * at(e, l));
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = at(e, l) / (p + r);
        d[l + 1] = at(e, l) * (p + r);
        const dl1 = at(d, l + 1);
        let h = g - at(d, l);
        for (let i = l + 2; i < n; i++) d[i] = at(d, i) - h;
        f += h;
        p = at(d, m);
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = at(e, l + 1);
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * at(e, i);
          h = c * p;
          r = Math.hypot(p, at(e, i));
          e[i + 1] = s * r;
          s = at(e, i) / r;
          c = p / r;
          p = c * at(d, i) - s * g;
          d[i + 1] = h + s * (c * g + s * at(d, i));
          for (let k = 0; k < n; k++) {
            const Vk = row(V, k);
            h = at(Vk, i + 1);
            Vk[i + 1] = s * at(Vk, i) + c * h;
            Vk[i] = c * at(Vk, i) - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * at(e, l)) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(at(e, l)) > eps * tst1);
    }
    d[l] = at(d, l) + f;
    e[l] = 0;
  }
}
