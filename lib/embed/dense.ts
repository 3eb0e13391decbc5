/**
 * Dense kernels for the randomized SVD. Matrices on the vocabulary side are sets of columns
 * (one Float64Array each), and every kernel walks them in row chunks so that the chunk of every
 * column stays in cache: whole-column passes over a 50k-term vocabulary are memory-bound and run
 * at half the speed. Inner loops are unrolled or register-tiled because V8 does not vectorise;
 * tiling makes each load feed several multiply-adds (~0.45 ns per multiply-add instead of ~0.85).
 */

const CHUNK = 512;

export function forChunks(rows: number, body: (start: number, end: number) => void): void {
  for (let start = 0; start < rows; start += CHUNK) body(start, Math.min(rows, start + CHUNK));
}

function col(cols: readonly Float64Array[], c: number): Float64Array {
  return cols[c] as Float64Array;
}

/** Aᵀ·B (A.length × B.length, row-major) for columns of length `rows`. */
export function crossProduct(
  A: readonly Float64Array[],
  B: readonly Float64Array[],
  rows: number,
  symmetric = false,
): Float64Array {
  const p = A.length;
  const q = B.length;
  const out = new Float64Array(p * q);
  forChunks(rows, (start, end) => {
    let a = 0;
    // 2×4 tiles: 6 loads feed 8 multiply-adds.
    for (; a + 1 < p; a += 2) {
      const x0 = col(A, a);
      const x1 = col(A, a + 1);
      let b = symmetric ? a : 0;
      for (; b + 3 < q; b += 4) {
        const y0 = col(B, b);
        const y1 = col(B, b + 1);
        const y2 = col(B, b + 2);
        const y3 = col(B, b + 3);
        let s00 = 0;
        let s01 = 0;
        let s02 = 0;
        let s03 = 0;
        let s10 = 0;
        let s11 = 0;
        let s12 = 0;
        let s13 = 0;
        for (let i = start; i < end; i++) {
          const u = x0[i] as number;
          const v = x1[i] as number;
          const w0 = y0[i] as number;
          const w1 = y1[i] as number;
          const w2 = y2[i] as number;
          const w3 = y3[i] as number;
          s00 += u * w0;
          s01 += u * w1;
          s02 += u * w2;
          s03 += u * w3;
          s10 += v * w0;
          s11 += v * w1;
          s12 += v * w2;
          s13 += v * w3;
        }
        const o0 = a * q + b;
        const o1 = o0 + q;
        out[o0] = (out[o0] as number) + s00;
        out[o0 + 1] = (out[o0 + 1] as number) + s01;
        out[o0 + 2] = (out[o0 + 2] as number) + s02;
        out[o0 + 3] = (out[o0 + 3] as number) + s03;
        out[o1] = (out[o1] as number) + s10;
        out[o1 + 1] = (out[o1 + 1] as number) + s11;
        out[o1 + 2] = (out[o1 + 2] as number) + s12;
        out[o1 + 3] = (out[o1 + 3] as number) + s13;
      }
      for (; b < q; b++) {
        out[a * q + b] = (out[a * q + b] as number) + dot(x0, col(B, b), start, end);
        out[(a + 1) * q + b] = (out[(a + 1) * q + b] as number) + dot(x1, col(B, b), start, end);
      }
    }
    for (; a < p; a++) {
      for (let b = symmetric ? a : 0; b < q; b++) {
        out[a * q + b] = (out[a * q + b] as number) + dot(col(A, a), col(B, b), start, end);
      }
    }
  });
  if (symmetric) {
    for (let a = 0; a < p; a++)
      for (let b = 0; b < a; b++) out[a * q + b] = out[b * q + a] as number;
  }
  return out;
}

/**
 * `out[start..end) += Σ coefs[s] · sources[s][start..end)`, four sources per pass so each
 * store carries four multiply-adds. Zero coefficients are skipped.
 */
export function combineInto(
  out: Float64Array,
  sources: readonly Float64Array[],
  coefs: ArrayLike<number>,
  start: number,
  end: number,
): void {
  const live: number[] = [];
  for (let s = 0; s < sources.length; s++) if (coefs[s] !== 0) live.push(s);
  let t = 0;
  for (; t + 3 < live.length; t += 4) {
    const s0 = live[t] as number;
    const s1 = live[t + 1] as number;
    const s2 = live[t + 2] as number;
    const s3 = live[t + 3] as number;
    const x0 = col(sources, s0);
    const x1 = col(sources, s1);
    const x2 = col(sources, s2);
    const x3 = col(sources, s3);
    const c0 = coefs[s0] as number;
    const c1 = coefs[s1] as number;
    const c2 = coefs[s2] as number;
    const c3 = coefs[s3] as number;
    for (let i = start; i < end; i++) {
      out[i] =
        (out[i] as number) +
        c0 * (x0[i] as number) +
        c1 * (x1[i] as number) +
        c2 * (x2[i] as number) +
        c3 * (x3[i] as number);
    }
  }
  for (; t < live.length; t++) {
    const s = live[t] as number;
    axpyRow(out, start, col(sources, s), start, coefs[s] as number, end - start);
  }
}

/**
 * Like `combineInto` for two outputs at once: each load of a source feeds both, which makes
 * the pair ~1.7× faster than two single passes.
 */
export function combine2Into(
  out0: Float64Array,
  out1: Float64Array,
  sources: readonly Float64Array[],
  coefs0: ArrayLike<number>,
  coefs1: ArrayLike<number>,
  start: number,
  end: number,
): void {
  const live: number[] = [];
  for (let s = 0; s < sources.length; s++) if (coefs0[s] !== 0 || coefs1[s] !== 0) live.push(s);
  let t = 0;
  for (; t + 3 < live.length; t += 4) {
    const s0 = live[t] as number;
    const s1 = live[t + 1] as number;
    const s2 = live[t + 2] as number;
    const s3 = live[t + 3] as number;
    const x0 = col(sources, s0);
    const x1 = col(sources, s1);
    const x2 = col(sources, s2);
    const x3 = col(sources, s3);
    const a0 = coefs0[s0] as number;
    const a1 = coefs0[s1] as number;
    const a2 = coefs0[s2] as number;
    const a3 = coefs0[s3] as number;
    const b0 = coefs1[s0] as number;
    const b1 = coefs1[s1] as number;
    const b2 = coefs1[s2] as number;
    const b3 = coefs1[s3] as number;
    for (let i = start; i < end; i++) {
      const u0 = x0[i] as number;
      const u1 = x1[i] as number;
      const u2 = x2[i] as number;
      const u3 = x3[i] as number;
      out0[i] = (out0[i] as number) + a0 * u0 + a1 * u1 + a2 * u2 + a3 * u3;
      out1[i] = (out1[i] as number) + b0 * u0 + b1 * u1 + b2 * u2 + b3 * u3;
    }
  }
  for (; t < live.length; t++) {
    const s = live[t] as number;
    axpyRow(out0, start, col(sources, s), start, coefs0[s] as number, end - start);
    axpyRow(out1, start, col(sources, s), start, coefs1[s] as number, end - start);
  }
}

/** `x[xo .. xo+w) += v * y[yo .. yo+w)`, unrolled by four. */
export function axpyRow(
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
  v: number,
  w: number,
): void {
  const w4 = w - (w & 3);
  let c = 0;
  for (; c < w4; c += 4) {
    x[xo + c] = (x[xo + c] as number) + v * (y[yo + c] as number);
    x[xo + c + 1] = (x[xo + c + 1] as number) + v * (y[yo + c + 1] as number);
    x[xo + c + 2] = (x[xo + c + 2] as number) + v * (y[yo + c + 2] as number);
    x[xo + c + 3] = (x[xo + c + 3] as number) + v * (y[yo + c + 3] as number);
  }
  for (; c < w; c++) x[xo + c] = (x[xo + c] as number) + v * (y[yo + c] as number);
}

/** Dot product over [start, end); four partial sums break the add-latency chain. */
export function dot(x: Float64Array, y: Float64Array, start: number, end: number): number {
  const end4 = end - ((end - start) & 3);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = start;
  for (; i < end4; i += 4) {
    s0 += (x[i] as number) * (y[i] as number);
    s1 += (x[i + 1] as number) * (y[i + 1] as number);
    s2 += (x[i + 2] as number) * (y[i + 2] as number);
    s3 += (x[i + 3] as number) * (y[i + 3] as number);
  }
  for (; i < end; i++) s0 += (x[i] as number) * (y[i] as number);
  return s0 + s1 + s2 + s3;
}
