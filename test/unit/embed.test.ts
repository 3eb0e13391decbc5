import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { symmetricEigen } from '../../lib/embed/eigen.js';
import { createOfflineEmbedder } from '../../lib/embed/offline.js';
import { randomizedSvd, type SparseMatrix } from '../../lib/embed/svd.js';
import { buildTfidf, TfidfLsaEmbedder } from '../../lib/embed/tfidf.js';
import { tokenize } from '../../lib/embed/tokenize.js';
import { prepareText, UseLiteEmbedder } from '../../lib/embed/use-lite.js';
import { mulberry32 } from '../../lib/util/random.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function cosine(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

function expectUnit(vectors: readonly Float32Array[], dimensions: number): void {
  for (const v of vectors) {
    expect(v).toBeInstanceOf(Float32Array);
    expect(v.length).toBe(dimensions);
    expect(Math.sqrt(cosine(v, v))).toBeCloseTo(1, 5);
  }
}

const COOKING = [
  'Simmer the tomato sauce with garlic and basil for twenty minutes',
  'Bake the bread dough in a hot oven until the crust is golden',
  'Whisk eggs with sugar and butter to make the cake batter',
  'Season the soup with salt, pepper and fresh basil before serving',
  'Knead the dough, let it rise, then bake the bread',
  'Fry garlic in butter and add the tomato sauce to the pasta',
];
const NETWORKS = [
  'Configure the router firewall to block incoming traffic on port 22',
  'The DNS server resolves hostnames for every client on the network',
  'Restart the network interface after changing the router address',
  'Packets are dropped when the firewall rules reject the traffic',
  'Assign a static address to the server on the local network',
  'The client cannot reach the DNS server through the firewall',
];

describe('tokenize', () => {
  it('lowercases, drops stop words, short words and bare numbers; bigrams on request', () => {
    expect(
      tokenize("How do I reset MY password in 2024? It's a 2-step thing", { bigrams: false }),
    ).toEqual(['reset', 'password', '2-step', 'thing']);
    expect(tokenize('reset my password')).toEqual(['reset', 'password', 'reset password']);
  });
});

describe('symmetricEigen and randomizedSvd', () => {
  it('decomposes a symmetric matrix', () => {
    const n = 30;
    const rng = mulberry32(3);
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const v = rng() - 0.5;
        A[i * n + j] = v;
        A[j * n + i] = v;
      }
    }
    const { values, vectors } = symmetricEigen(A, n);
    for (let c = 0; c < n; c++) {
      if (c > 0) expect(values[c] as number).toBeLessThanOrEqual(values[c - 1] as number);
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += (A[i * n + j] as number) * (vectors[j]?.[c] as number);
        expect(av).toBeCloseTo((values[c] as number) * (vectors[i]?.[c] as number), 10);
      }
    }
  });

  it('finds the exact singular values when l covers every column, with orthonormal components', () => {
    // 40×12 random sparse matrix: l = min(12, k + 10) = 12, so the subspace is the whole space.
    const rng = mulberry32(7);
    const rows = 40;
    const cols = 12;
    const rowPtr = new Int32Array(rows + 1);
    const colIdx: number[] = [];
    const values: number[] = [];
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        if (rng() < 0.4) {
          colIdx.push(j);
          values.push(rng());
        }
      }
      rowPtr[i + 1] = colIdx.length;
    }
    const X: SparseMatrix = {
      rows,
      cols,
      rowPtr,
      colIdx: Int32Array.from(colIdx),
      values: Float64Array.from(values),
    };
    const gram = new Float64Array(cols * cols);
    for (let i = 0; i < rows; i++) {
      for (let p = rowPtr[i] as number; p < (rowPtr[i + 1] as number); p++) {
        for (let q = rowPtr[i] as number; q < (rowPtr[i + 1] as number); q++) {
          const at = (colIdx[p] as number) * cols + (colIdx[q] as number);
          gram[at] = (gram[at] as number) + (values[p] as number) * (values[q] as number);
        }
      }
    }
    const exact = symmetricEigen(gram, cols).values;
    const svd = randomizedSvd(X, 5);
    expect(svd.k).toBe(5);
    for (let c = 0; c < 5; c++) {
      expect(svd.singularValues[c] as number).toBeCloseTo(Math.sqrt(exact[c] as number), 8);
      for (let d = 0; d < 5; d++) {
        let dot = 0;
        for (let j = 0; j < cols; j++) {
          dot += (svd.components[j * 5 + c] as number) * (svd.components[j * 5 + d] as number);
        }
        expect(dot).toBeCloseTo(c === d ? 1 : 0, 10);
      }
    }
  });
});

describe('TfidfLsaEmbedder', () => {
  const texts = [...COOKING, ...NETWORKS];

  it('returns unit vectors of the declared dimension, zero-padded past the corpus rank', async () => {
    const embedder = new TfidfLsaEmbedder();
    expect(embedder.id).toBe('tfidf-lsa-256');
    expect(embedder.contextual).toBe(true);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(texts.length);
    expectUnit(vectors, 256);
    // 12 texts have at most 12 independent directions.
    expect(vectors.every((v) => v.subarray(12).every((x) => x === 0))).toBe(true);
    expect(await embedder.embed([])).toEqual([]);
  });

  it('is deterministic and separates two obvious topics', async () => {
    const a = await new TfidfLsaEmbedder({ dimensions: 8 }).embed(texts);
    const b = await new TfidfLsaEmbedder({ dimensions: 8 }).embed(texts);
    expect(a).toEqual(b);
    const topic = (i: number) => (i < COOKING.length ? 0 : 1);
    let within = 0;
    let across = 0;
    let withinCount = 0;
    let acrossCount = 0;
    a.forEach((u, i) => {
      // Each text's nearest neighbour is on its own topic.
      let best = -1;
      let bestSim = Number.NEGATIVE_INFINITY;
      a.forEach((v, j) => {
        if (i === j) return;
        const sim = cosine(u, v);
        if (sim > bestSim) [best, bestSim] = [j, sim];
        if (topic(i) === topic(j)) [within, withinCount] = [within + sim, withinCount + 1];
        else [across, acrossCount] = [across + sim, acrossCount + 1];
      });
      expect(topic(best)).toBe(topic(i));
    });
    // The topics share no term, so LSA puts them in orthogonal subspaces.
    expect(Math.abs(across / acrossCount)).toBeLessThan(0.05);
    expect(within / withinCount).toBeGreaterThan(0.15);
  });

  it('gives texts without any known term one shared unit vector', async () => {
    const vectors = await new TfidfLsaEmbedder({ dimensions: 16 }).embed([
      ...texts,
      '',
      'of the and',
    ]);
    expectUnit(vectors, 16);
    expect(vectors[texts.length]).toEqual(vectors[texts.length + 1]);
  });

  it('builds sublinear, smoothed, L2-normalised TF-IDF with min df 2', () => {
    const { matrix, terms, idf } = buildTfidf([
      'apple apple banana',
      'apple cherry',
      'banana date',
    ]);
    expect(terms.sort()).toEqual(['apple', 'banana']);
    expect(idf[0]).toBeCloseTo(Math.log(4 / 3) + 1, 12);
    expect(matrix.rows).toBe(3);
    // Row 0: tf(apple) = 1 + ln 2, tf(banana) = 1; both df 2, so the same idf.
    const [x, y] = [matrix.values[0] as number, matrix.values[1] as number];
    expect(x / y).toBeCloseTo(1 + Math.log(2), 12);
    expect(x * x + y * y).toBeCloseTo(1, 12);
  });
});

describe('UseLiteEmbedder', () => {
  // Small batches so that even short inputs span several messages and both workers.
  const embedder = new UseLiteEmbedder({ threads: 2, batchSize: 4 });
  afterAll(() => embedder.close());

  it('embeds into unit vectors, in order across worker batches, reporting progress', async () => {
    expect(embedder.id).toBe('use-lite-512@0.2.0');
    const texts = Array.from({ length: 30 }, (_, i) => `sentence number ${i} about topic ${i % 7}`);
    const progress: number[] = [];
    const forward = await embedder.embed(texts, (done) => progress.push(done));
    expectUnit(forward, 512);
    expect(progress.at(-1)).toBe(texts.length);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    // The same texts reversed and in concurrent calls come back matched to their inputs.
    const [reversed, alone] = await Promise.all([
      embedder.embed([...texts].reverse()),
      embedder.embed([texts[17] as string]),
    ]);
    forward.forEach((v, i) => {
      expect(cosine(v, reversed[texts.length - 1 - i] as Float32Array)).toBeGreaterThan(0.9999);
    });
    expect(cosine(forward[17] as Float32Array, alone[0] as Float32Array)).toBeGreaterThan(0.9999);
  });

  it('scores paraphrases closer than unrelated sentences', async () => {
    const [reset, forgot, weather] = await embedder.embed([
      'how do I reset my password',
      'I forgot my login password',
      'the weather is sunny',
    ]);
    const close = cosine(reset as Float32Array, forgot as Float32Array);
    const far = cosine(reset as Float32Array, weather as Float32Array);
    expect(close).toBeGreaterThan(far + 0.2);
  });

  it('accepts empty, whitespace-only and very long texts', async () => {
    const long = 'word '.repeat(5000);
    const vectors = await embedder.embed(['', ' \n\t ', long, 'last']);
    expectUnit(vectors, 512);
    expect(prepareText(' a\n\nb\tc ')).toBe('a b c');
    expect(prepareText(long).split(' ')).toHaveLength(100);
    expect(prepareText('')).toBe('(empty)');
  });
});

describe('UseLiteEmbedder failures', () => {
  const script = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);

  it('rejects instead of hanging when the model cannot load', async () => {
    const broken = new UseLiteEmbedder({ workerUrl: script('throw new Error("no model")') });
    await expect(broken.embed(['a', 'b'])).rejects.toThrow(/no model/);
    await broken.close();
  });

  it('rejects when a worker dies mid-batch, and a batch error rejects only its call', async () => {
    const dying = new UseLiteEmbedder({
      threads: 1,
      workerUrl: script(`import { parentPort } from 'node:worker_threads';
        parentPort.postMessage({ type: 'ready', loadMs: 0 });
        parentPort.on('message', () => process.exit(3));`),
    });
    await expect(dying.embed(['a'])).rejects.toThrow(/exited unexpectedly/);
    await dying.close();

    const failing = new UseLiteEmbedder({
      threads: 1,
      workerUrl: script(`import { parentPort } from 'node:worker_threads';
        parentPort.postMessage({ type: 'ready', loadMs: 0 });
        parentPort.on('message', (m) => parentPort.postMessage(m.texts[0] === 'bad'
          ? { type: 'error', id: m.id, message: 'bad input' }
          : { type: 'result', id: m.id, vectors: new Float32Array(512 * m.texts.length).fill(1) }));`),
    });
    await expect(failing.embed(['bad'])).rejects.toThrow(/bad input/);
    expectUnit(await failing.embed(['good']), 512);
    await failing.close();
  });

  it('lets the process exit after close(), and even without it once idle', async () => {
    const run = promisify(execFile);
    const dir = await mkdtemp(join(tmpdir(), 'use-lite-exit-'));
    const offline = pathToFileURL(join(root, 'lib/embed/offline.ts')).href;
    try {
      for (const close of ['await e.close();', '']) {
        // A file rather than -e: workers inherit execArgv, and -e flags would break them.
        const file = join(dir, `run${close ? '-close' : ''}.mjs`);
        await writeFile(
          file,
          `const { createOfflineEmbedder } = await import(${JSON.stringify(offline)});
          const e = createOfflineEmbedder('use-lite');
          const v = await e.embed(['one', 'two', 'three']);
          ${close}
          console.log(v.length);`,
        );
        const { stdout } = await run(process.execPath, ['--import', 'tsx', file], {
          cwd: root,
          timeout: 15_000,
        });
        expect(stdout.trim()).toBe('3');
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('createOfflineEmbedder', () => {
  it('defaults to USE-lite and builds TF-IDF + LSA on request', async () => {
    const use = createOfflineEmbedder();
    expect(use).toBeInstanceOf(UseLiteEmbedder);
    await use.close();
    const tfidf = createOfflineEmbedder('tfidf-lsa', { dimensions: 64 });
    expect(tfidf.id).toBe('tfidf-lsa-64');
    expect(tfidf.dimensions).toBe(64);
  });
});
