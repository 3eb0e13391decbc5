import { describe, expect, it } from 'vitest';
import { multiplyQuantized, transpose } from '../../lib/embed/use-lite-matmul.js';
import { DotKernel, int16Limit } from '../../lib/util/dot-kernel.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';

const gaussian = (length: number, seed: number, scale = 1) => {
  const normal = normalGenerator(mulberry32(seed));
  return Float32Array.from({ length }, () => normal() * scale);
};

/** Row-major a (m × k) times the k × n matrix whose columns are the rows of `columns`. */
function exactProduct(a: Float32Array, columns: Float32Array, m: number, k: number, n: number) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < n; c++) {
      let sum = 0;
      for (let j = 0; j < k; j++) sum += (a[i * k + j] as number) * (columns[c * k + j] as number);
      out[i * n + c] = sum;
    }
  }
  return out;
}

function quantizedProduct(a: Float32Array, columns: Float32Array, k: number, n: number) {
  const kernel = new DotKernel('i16');
  kernel.reserve(k, n, 64);
  const limit = int16Limit(k);
  const quantizedColumns = kernel.quantize(columns, n, limit);
  if (!quantizedColumns) throw new Error('columns did not quantize');
  const out = new Float32Array((a.length / k) * n);
  expect(multiplyQuantized(kernel, a, quantizedColumns, limit, out)).toBe(true);
  return out;
}

describe('the int16 dot kernel', () => {
  it('rounds each row to its own scale, exactly at the extremes', () => {
    const kernel = new DotKernel('i16');
    kernel.reserve(8, 4, 4);
    const rows = Float32Array.from([1, -2, 0.5, 0, 4, -4, 3, 2, ...new Array(8).fill(0)]);
    const quantized = kernel.quantize(rows, 2, 1000);
    expect(quantized?.scales[0]).toBeCloseTo(4 / 1000, 7);
    expect(Array.from(quantized?.values.subarray(0, 8) ?? [])).toEqual([
      250, -500, 125, 0, 1000, -1000, 750, 500,
    ]);
    // An all-zero row stays zero with a zero scale rather than dividing by zero.
    expect(quantized?.scales[1]).toBe(0);
    expect(Array.from(quantized?.values.subarray(8) ?? [])).toEqual(new Array(8).fill(0));
    // So does a row too small for limit / max to be a float, instead of saturating.
    const tiny = kernel.quantize(Float32Array.from([1e-38, -2e-38, 0, 0, 0, 0, 0, 1e-39]), 1, 1000);
    expect(Array.from(tiny?.values ?? [])).toEqual(new Array(8).fill(0));
  });

  it('refuses rows holding NaN or an infinity', () => {
    const kernel = new DotKernel('i16');
    kernel.reserve(8, 4, 4);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const rows = gaussian(24, 1);
      rows[13] = bad;
      expect(kernel.quantize(rows, 3, 100)).toBeUndefined();
      const out = new Float32Array(3 * 4);
      const columns = kernel.quantize(gaussian(32, 2), 4, 100);
      expect(columns).toBeDefined();
      if (columns) expect(multiplyQuantized(kernel, rows, columns, 100, out)).toBe(false);
    }
  });

  it('matches the float product closely, for point counts across chunks and odd', () => {
    for (const [m, k, n] of [
      [1, 8, 4],
      [7, 16, 12],
      [129, 512, 36],
      [65, 1536, 8],
    ] as const) {
      const a = gaussian(m * k, m + k);
      const columns = gaussian(n * k, n, 0.05);
      const exact = exactProduct(a, columns, m, k, n);
      const got = quantizedProduct(a, columns, k, n);
      // Each factor keeps 11-13 bits, so a product of Gaussian rows is off by about 1e-3 of its
      // typical size (at k = 1,536, up to ~3e-3 in the worst of these; a wrong index is off by 1).
      const scale = Math.sqrt(exact.reduce((s, v) => s + v * v, 0) / exact.length);
      for (let i = 0; i < exact.length; i++) {
        expect(Math.abs((got[i] as number) - (exact[i] as number))).toBeLessThan(5e-3 * scale);
      }
    }
  });

  it('cannot overflow: every value at the limit, the longest rows the model has', () => {
    const k = 1536;
    const a = new Float32Array(2 * k).fill(3);
    const columns = new Float32Array(4 * k).fill(-7);
    const got = quantizedProduct(a, columns, k, 4);
    for (const value of got) expect(value / (3 * -7 * k)).toBeCloseTo(1, 5);
    // The limit keeps each lane's k / 4 products within 32 bits.
    expect((k / 4) * int16Limit(k) ** 2).toBeLessThan(2 ** 31);
  });

  it('transposes a k × n matrix into n rows of k', () => {
    const matrix = Float32Array.from({ length: 6 }, (_, i) => i);
    expect(Array.from(transpose(matrix, 2, 3))).toEqual([0, 3, 1, 4, 2, 5]);
  });
});
