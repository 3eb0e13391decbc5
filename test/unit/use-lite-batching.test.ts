import { describe, expect, it } from 'vitest';
import { planBatches } from '../../lib/embed/batches.js';
import { UseLiteEmbedder } from '../../lib/embed/use-lite.js';
import { splitInto, splitSizes } from '../../lib/embed/use-lite-kernels.js';

const script = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);

/**
 * A stand-in model: the vector of a text is one-hot at the text's length, so a test can tell
 * which text a vector came from. It also reports every batch it is sent.
 */
const lengthModel = script(`import { parentPort } from 'node:worker_threads';
  parentPort.postMessage({ type: 'ready', loadMs: 0 });
  parentPort.on('message', (m) => {
    const vectors = new Float32Array(512 * m.texts.length);
    m.texts.forEach((t, i) => { vectors[i * 512 + t.length] = 1; });
    parentPort.postMessage({ type: 'result', id: m.id, vectors });
  });`);

describe('planBatches', () => {
  const length = (t: string) => t.length;

  it('puts each distinct text in exactly one batch and maps every input to it', () => {
    const texts = ['bb', 'a', 'bb', 'cccc', 'a', 'ddd'];
    const plan = planBatches(texts, { maxTexts: 2, maxPaddedCost: 100, sortByCost: true }, length);
    expect([...plan.distinct].sort()).toEqual(['a', 'bb', 'cccc', 'ddd']);
    expect(plan.batches.flat().sort()).toEqual([0, 1, 2, 3]);
    texts.forEach((t, i) => {
      expect(plan.distinct[plan.distinctOf[i] as number]).toBe(t);
    });
  });

  it('groups similar lengths, longest first, within the text and padded-cost limits', () => {
    const texts = Array.from({ length: 40 }, (_, i) => 'x'.repeat(1 + ((i * 7) % 40)));
    const plan = planBatches(texts, { maxTexts: 8, maxPaddedCost: 120, sortByCost: true }, length);
    const costs = plan.batches.map((b) => b.map((d) => (plan.distinct[d] as string).length));
    for (const batch of costs) {
      expect(batch.length).toBeLessThanOrEqual(8);
      expect(batch.length * Math.max(...batch)).toBeLessThanOrEqual(120);
    }
    const flat = costs.flat();
    expect(flat).toEqual([...flat].sort((a, b) => b - a));
    // Short texts fill batches up to the text limit; long ones are cut by the cost limit.
    expect(Math.max(...costs.map((b) => b.length))).toBe(8);
    expect(costs[0]).toEqual([40, 39, 38]);
  });

  it('keeps the caller order in fixed-size runs when sorting is off', () => {
    const texts = ['ccc', 'a', 'bb', 'dddd', 'e'];
    const plan = planBatches(texts, { maxTexts: 2, maxPaddedCost: 1e9, sortByCost: false }, length);
    expect(plan.batches.map((b) => b.map((d) => plan.distinct[d]))).toEqual([
      ['ccc', 'a'],
      ['bb', 'dddd'],
      ['e'],
    ]);
  });

  it('still sends a text costlier than the whole budget, alone', () => {
    const plan = planBatches(
      ['x'.repeat(50), 'y'],
      { maxTexts: 4, maxPaddedCost: 10, sortByCost: true },
      length,
    );
    expect(plan.batches).toEqual([[0], [1]]);
  });
});

describe('UseLiteEmbedder batching', () => {
  const texts = ['aaaa', 'b', 'cc', 'aaaa', 'dddddddd', 'b', 'eee', 'ffffff', 'cc', 'g'];

  it('returns length-sorted batches in the caller order, progress in caller texts', async () => {
    const embedder = new UseLiteEmbedder({ threads: 2, batchSize: 3, workerUrl: lengthModel });
    try {
      const progress: number[] = [];
      const vectors = await embedder.embed(texts, (done) => progress.push(done));
      texts.forEach((t, i) => {
        expect(vectors[i]?.[t.length]).toBe(1);
      });
      expect(progress.at(-1)).toBe(texts.length);
    } finally {
      await embedder.close();
    }
  });

  it('sends each distinct text to the model once', async () => {
    // The vector of each text is one-hot at the number of texts the worker had seen by then.
    const counting = new UseLiteEmbedder({
      threads: 1,
      batchSize: 3,
      workerUrl: script(`import { parentPort } from 'node:worker_threads';
        let seen = 0;
        parentPort.postMessage({ type: 'ready', loadMs: 0 });
        parentPort.on('message', (m) => {
          const vectors = new Float32Array(512 * m.texts.length);
          m.texts.forEach((t, i) => { vectors[i * 512 + ++seen] = 1; });
          parentPort.postMessage({ type: 'result', id: m.id, vectors });
        });`),
    });
    try {
      const vectors = await counting.embed(texts);
      expect(Math.max(...vectors.map((v) => v.indexOf(1)))).toBe(new Set(texts).size);
      // Repeats get the vector of their first occurrence.
      expect(vectors[3]).toEqual(vectors[0]);
    } finally {
      await counting.close();
    }
  });
});

describe('the SplitV replacement', () => {
  it('reads -1 as the rest and equal splits from a count', () => {
    expect(splitSizes(768, 3)).toEqual([256, 256, 256]);
    expect(splitSizes(10, [2, -1, 3])).toEqual([2, 5, 3]);
    expect(() => splitSizes(10, 3)).toThrow(/equal parts/);
  });

  it('copies the same parts as slicing element by element, along any axis', () => {
    const shape = [3, 4, 6];
    const x = Float32Array.from({ length: 72 }, (_, i) => i);
    const at = (i: number, j: number, k: number) => x[i * 24 + j * 6 + k] as number;
    for (const [axis, sizes] of [
      [0, [1, 2]],
      [1, [1, 3]],
      [2, [2, 1, 3]],
    ] as const) {
      const parts = sizes.map((s) => new Float32Array((72 / (shape[axis] as number)) * s));
      splitInto(x, shape, axis, sizes, parts);
      let offset = 0;
      sizes.forEach((size, p) => {
        const partShape = shape.map((d, a) => (a === axis ? size : d));
        const expected: number[] = [];
        for (let i = 0; i < (partShape[0] as number); i++)
          for (let j = 0; j < (partShape[1] as number); j++)
            for (let k = 0; k < (partShape[2] as number); k++) {
              const idx = [i, j, k];
              idx[axis] = (idx[axis] as number) + offset;
              expected.push(at(idx[0] as number, idx[1] as number, idx[2] as number));
            }
        expect(Array.from(parts[p] as Float32Array)).toEqual(expected);
        offset += size;
      });
    }
  });

  it('leaves the model output unchanged', async () => {
    const texts = [
      'how do I reset my password',
      'the invoice shows a charge twice and I want a refund',
      'export the whole project to a spreadsheet',
    ];
    const fast = new UseLiteEmbedder({ threads: 1 });
    const stock = new UseLiteEmbedder({ threads: 1, fastSplit: false });
    try {
      const [a, b] = await Promise.all([fast.embed(texts), stock.embed(texts)]);
      a.forEach((v, i) => {
        expect(Array.from(v)).toEqual(Array.from(b[i] as Float32Array));
      });
    } finally {
      await Promise.all([fast.close(), stock.close()]);
    }
  });
});
