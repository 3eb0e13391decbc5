import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hybridVectors } from '../../lib/cluster/hybrid-vectors.js';
import { kmeans } from '../../lib/cluster/kmeans.js';
import { nearestNeighbours } from '../../lib/cluster/neighbours.js';
import { dot } from '../../lib/cluster/vectors.js';
import { labelScores } from '../../lib/evaluate/label-metrics.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';
import { blobVectors } from '../helpers/blobs.js';

function randomUnitVectors(n: number, dim: number, seed: number): Float32Array[] {
  const normal = normalGenerator(mulberry32(seed));
  return Array.from({ length: n }, () => {
    const v = Float32Array.from({ length: dim }, () => normal());
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

/** Every point's k best by brute force, ties broken by index as a set comparison allows. */
function bruteForce(vectors: Float32Array[], k: number): number[][] {
  return vectors.map((v, i) =>
    vectors
      .map((w, j) => ({ j, s: dot(v, w) }))
      .filter(({ j }) => j !== i)
      .sort((a, b) => b.s - a.s)
      .slice(0, k)
      .map(({ j }) => j),
  );
}

describe('nearestNeighbours', () => {
  it('finds exactly the brute-force neighbours, nearest first, never the point itself', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: 60 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 21 }),
        fc.integer(),
        async (n, k, dim, seed) => {
          const vectors = randomUnitVectors(n, dim, seed);
          const found = await nearestNeighbours(vectors, k, { seed: 1 });
          const expected = bruteForce(vectors, k);
          for (let i = 0; i < n; i++) {
            const row = [...found.subarray(i * k, (i + 1) * k)];
            const real = row.filter((j) => j >= 0);
            // Fewer than k others: the rest is padding.
            expect(real).toHaveLength(Math.min(k, n - 1));
            expect(real).not.toContain(i);
            const scores = real.map((j) =>
              dot(vectors[i] as Float32Array, vectors[j] as Float32Array),
            );
            const want = (expected[i] ?? []).map((j) =>
              dot(vectors[i] as Float32Array, vectors[j] as Float32Array),
            );
            // Same scores in the same order (indices may differ only between exact ties).
            scores.forEach((s, r) => {
              expect(s).toBeCloseTo(want[r] as number, 5);
            });
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('above the exact limit, searches cells and still finds almost every true neighbour', async () => {
    const { vectors } = blobVectors(8, 150, 32, 3);
    const k = 8;
    const approximate = await nearestNeighbours(vectors, k, { seed: 7, exactLimit: 100 });
    const exact = await nearestNeighbours(vectors, k, { seed: 7 });
    let shared = 0;
    for (let i = 0; i < vectors.length; i++) {
      const truth = new Set(exact.subarray(i * k, (i + 1) * k));
      for (const j of approximate.subarray(i * k, (i + 1) * k)) if (truth.has(j)) shared++;
    }
    const recall = shared / (vectors.length * k);
    expect(recall).toBeGreaterThan(0.9);
    // Approximate, but always real other points.
    for (let i = 0; i < vectors.length; i++) {
      const row = [...approximate.subarray(i * k, (i + 1) * k)];
      expect(row.every((j) => j >= 0 && j !== i)).toBe(true);
      expect(new Set(row).size).toBe(k);
    }
  });
});

describe('hybridVectors', () => {
  // Four topics; the "embeddings" tell only two broad themes apart (topics 0+1 and 2+3), as a
  // small sentence encoder blurs rare specific terms, so only the words separate the rest.
  const topics = [
    'kazakh dictionary spelling aspell',
    'webserver fastcgi module apache',
    'algebra matrix solver numeric',
    'bittorrent client daemon peer',
  ];
  const filler = ['tool', 'package', 'program', 'for', 'the', 'with', 'simple', 'small'];
  const rng = mulberry32(5);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)] as T;
  const labels: string[] = [];
  const texts: string[] = [];
  for (let i = 0; i < 200; i++) {
    const t = i % topics.length;
    const words = (topics[t] as string).split(' ');
    labels.push(String(t));
    texts.push([pick(words), pick(filler), pick(words), pick(filler), pick(filler)].join(' '));
  }
  const themes = randomUnitVectors(2, 32, 8);
  const embeddings = randomUnitVectors(texts.length, 32, 9).map((noise, i) => {
    const theme = themes[Math.floor(Number(labels[i]) / 2)] as Float32Array;
    const v = theme.map((x, d) => x + 0.5 * (noise[d] as number));
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });

  it('lets k-means find topics that only the words carry', async () => {
    const onEmbeddings = await kmeans(embeddings, { k: 4, seed: 1 });
    const hybrid = await hybridVectors(texts, embeddings, { seed: 1 });
    const onHybrid = await kmeans(hybrid, { k: 4, seed: 1 });
    const before = labelScores(labels, [...onEmbeddings.assignments]).nmi;
    const after = labelScores(labels, [...onHybrid.assignments]).nmi;
    expect(before).toBeLessThan(0.6);
    expect(after).toBeGreaterThan(0.85);
  });

  it('returns one unit vector per item, the same for the same seed', async () => {
    const a = await hybridVectors(texts, embeddings, { seed: 3 });
    const b = await hybridVectors(texts, embeddings, { seed: 3 });
    expect(a).toHaveLength(texts.length);
    for (const v of a) expect(dot(v, v)).toBeCloseTo(1, 5);
    expect(a).toEqual(b);
  });

  it('refuses texts and vectors that do not pair up', async () => {
    await expect(hybridVectors(texts.slice(1), embeddings, { seed: 1 })).rejects.toThrow(
      /199 texts for 200 vectors/,
    );
  });
});
