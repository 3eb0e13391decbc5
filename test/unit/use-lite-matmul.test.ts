import * as tfCore from '@energetic-ai/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { UseLiteEmbedder } from '../../lib/embed/use-lite.js';
import type { KernelRegistry } from '../../lib/embed/use-lite-kernels.js';
import { installQuantizedMatMul } from '../../lib/embed/use-lite-matmul.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';

interface Tensor {
  shape: number[];
  dataSync(): Float32Array;
}
interface Tf extends KernelRegistry {
  ready(): Promise<void>;
  getBackend(): string;
  tensor(values: Float32Array, shape: number[]): Tensor;
  matMul(a: Tensor, b: Tensor, transposeA?: boolean, transposeB?: boolean): Tensor;
  conv2d(x: Tensor, filter: Tensor, strides: number, pad: 'valid' | 'same'): Tensor;
}
const tf = tfCore as unknown as Tf;

const gaussian = (shape: number[], seed: number) => {
  const normal = normalGenerator(mulberry32(seed));
  const length = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length }, () => normal()),
    shape,
  );
};

/** Every call the tests make, as [name, run]; run on the stock kernels first, then on ours. */
const nan = (() => {
  const values = Float32Array.from({ length: 6 * 16 }, (_, i) => i / 50);
  values[20] = Number.NaN;
  return values;
})();
const calls: [string, () => Tensor][] = [
  ['rows × weights', () => tf.matMul(gaussian([37, 512], 1), gaussian([512, 96], 2))],
  ['batched rows × weights', () => tf.matMul(gaussian([3, 9, 64], 3), gaussian([64, 24], 4))],
  [
    'rows × transposed weights',
    () => tf.matMul(gaussian([10, 256], 5), gaussian([40, 256], 6), false, true),
  ],
  [
    '1 × 1 convolution',
    () => tf.conv2d(gaussian([2, 11, 1, 128], 7), gaussian([1, 1, 128, 64], 8), 1, 'valid'),
  ],
  // Not plain products: the stock kernels answer, so the results are identical.
  [
    'attention scores',
    () => tf.matMul(gaussian([2, 4, 7, 64], 9), gaussian([2, 4, 7, 64], 10), false, true),
  ],
  ['inner size not a multiple of 8', () => tf.matMul(gaussian([5, 12], 11), gaussian([12, 8], 12))],
  [
    '3 × 3 convolution',
    () => tf.conv2d(gaussian([1, 6, 6, 8], 13), gaussian([3, 3, 8, 4], 14), 1, 'same'),
  ],
  ['NaN in the rows', () => tf.matMul(tf.tensor(nan, [6, 16]), gaussian([16, 8], 15))],
];
const exactlyStock = new Set([
  'attention scores',
  'inner size not a multiple of 8',
  '3 × 3 convolution',
  'NaN in the rows',
]);

describe('the int16 BatchMatMul and Conv2D kernels', () => {
  const stock = new Map<string, Tensor>();
  const ours = new Map<string, Tensor>();
  beforeAll(async () => {
    await tf.ready();
    for (const [name, run] of calls) stock.set(name, run());
    installQuantizedMatMul(tf);
    for (const [name, run] of calls) ours.set(name, run());
  });

  it('runs on the wasm backend the embedder uses', () => {
    expect(tf.getBackend()).toBe('wasm');
  });

  it.each(calls.map(([name]) => name))(
    '%s: same shape, values within 0.4 % of their typical size (identical where the stock kernel answers)',
    (name) => {
      const want = stock.get(name) as Tensor;
      const got = ours.get(name) as Tensor;
      expect(got.shape).toEqual(want.shape);
      const a = got.dataSync();
      const b = want.dataSync();
      if (exactlyStock.has(name)) {
        expect(Array.from(a)).toEqual(Array.from(b));
        return;
      }
      const scale = Math.sqrt(b.reduce((s, v) => s + v * v, 0) / b.length);
      let worst = 0;
      for (let i = 0; i < b.length; i++)
        worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
      expect(worst).toBeGreaterThan(0); // the int16 path did run
      expect(worst).toBeLessThan(4e-3 * scale);
    },
  );
});

describe('USE-lite with the int16 kernels', () => {
  it('gives embeddings within a cosine of 0.9999 of the float ones', async () => {
    const texts = [
      'how do I reset my password',
      'the invoice shows a charge twice and I want a refund',
      'export the whole project to a spreadsheet',
      'Debian package: a library for parsing command line options in C',
    ];
    const quantized = new UseLiteEmbedder({ threads: 1 });
    const float = new UseLiteEmbedder({ threads: 1, quantizedMatMul: false });
    try {
      const [a, b] = await Promise.all([quantized.embed(texts), float.embed(texts)]);
      a.forEach((v, i) => {
        const w = b[i] as Float32Array;
        let dot = 0;
        let vv = 0;
        let ww = 0;
        for (let j = 0; j < v.length; j++) {
          dot += (v[j] as number) * (w[j] as number);
          vv += (v[j] as number) ** 2;
          ww += (w[j] as number) ** 2;
        }
        const cosine = dot / Math.sqrt(vv * ww);
        expect(cosine).toBeGreaterThan(0.9999);
        expect(cosine).toBeLessThan(1 - 1e-9); // not the float path under another name
      });
    } finally {
      await Promise.all([quantized.close(), float.close()]);
    }
  });
});
