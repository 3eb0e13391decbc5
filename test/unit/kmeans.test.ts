import { describe, expect, it } from 'vitest';
import { type KMeansOptions, type KMeansTuning, kmeans } from '../../lib/cluster/kmeans.js';
import { Lloyd } from '../../lib/cluster/kmeans-lloyd.js';
import type { SharedState } from '../../lib/cluster/kmeans-ops.js';
import { LocalExecutor, WorkerExecutor } from '../../lib/cluster/kmeans-pool.js';
import { DotKernel } from '../../lib/cluster/kmeans-wasm.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';

/** `perBlob` points around each of `blobs` random centres; `spread` is the noise std per axis. */
function blobs(blobsCount: number, perBlob: number, dim: number, spread: number, seed = 1) {
  const normal = normalGenerator(mulberry32(seed));
  const centres = Array.from({ length: blobsCount }, () =>
    Float32Array.from({ length: dim }, () => normal() * 10),
  );
  const vectors: Float32Array[] = [];
  const labels: number[] = [];
  // Interleave blobs so that ids and input order are unrelated.
  for (let i = 0; i < perBlob; i++) {
    centres.forEach((centre, b) => {
      vectors.push(centre.map((x) => x + normal() * spread));
      labels.push(b);
    });
  }
  return { vectors, labels };
}

/** True when the two labelings define exactly the same partition. */
function samePartition(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if ((forward.get(x) ?? y) !== y || (backward.get(y) ?? x) !== x) return false;
    forward.set(x, y);
    backward.set(y, x);
  }
  return true;
}

function expectContiguous(assignments: Int32Array, clusters: number): void {
  const counts = new Array<number>(clusters).fill(0);
  for (const a of assignments) {
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(clusters);
    counts[a] = (counts[a] as number) + 1;
  }
  expect(counts.every((c) => c > 0)).toBe(true);
}

const run = (vectors: Float32Array[], options: KMeansOptions & KMeansTuning) =>
  kmeans(vectors, { threads: 1, ...options });

describe('DotKernel', () => {
  it('matches plain dot products for odd point and centre counts', () => {
    const dim = 12;
    const normal = normalGenerator(mulberry32(4));
    const points = Float32Array.from({ length: 9 * dim }, normal);
    const centres = Float32Array.from({ length: 5 * dim }, normal);
    const kernel = new DotKernel();
    kernel.reserve(dim, 5, 7);
    const stride = kernel.setCentres(centres, 0, 5);
    kernel.setPoints(points, 2, 7);
    const dots = kernel.compute();
    expect(stride).toBe(8);
    for (let i = 0; i < 7; i++) {
      for (let c = 0; c < 5; c++) {
        let expected = 0;
        for (let j = 0; j < dim; j++) {
          expected += (points[(i + 2) * dim + j] as number) * (centres[c * dim + j] as number);
        }
        expect(dots[i * stride + c]).toBeCloseTo(expected, 4);
      }
    }
  });
});

describe('kmeans', () => {
  it('recovers well-separated blobs exactly, whatever the seed', async () => {
    const { vectors, labels } = blobs(6, 40, 16, 0.5);
    for (const seed of [1, 2, 3, 4, 5]) {
      const result = await run(vectors, { k: 6, seed });
      expect(result.centroids).toHaveLength(6);
      expect(samePartition(result.assignments, labels)).toBe(true);
    }
  });

  it('is deterministic for a seed and returns consistent inertia and centroids', async () => {
    const { vectors } = blobs(8, 50, 24, 4);
    const a = await run(vectors, { k: 8, seed: 42 });
    const b = await run(vectors, { k: 8, seed: 42 });
    expect(b.assignments).toEqual(a.assignments);
    expect(b.centroids).toEqual(a.centroids);
    expect(b.inertia).toBe(a.inertia);
    expect(b.iterations).toBe(a.iterations);

    let inertia = 0;
    vectors.forEach((v, i) => {
      const c = a.centroids[a.assignments[i] as number] as Float32Array;
      v.forEach((x, j) => {
        inertia += (x - (c[j] as number)) ** 2;
      });
    });
    expect(a.inertia).toBeCloseTo(inertia, 1);
  });

  it('never returns an empty cluster and numbers clusters 0..k-1', async () => {
    const normal = normalGenerator(mulberry32(9));
    const vectors = Array.from({ length: 500 }, () => Float32Array.from({ length: 10 }, normal));
    const result = await run(vectors, { k: 60, seed: 3 });
    expect(result.centroids).toHaveLength(60);
    expectContiguous(result.assignments, 60);
  });

  it('clamps k to the number of points', async () => {
    const vectors = [0, 1, 2, 3, 4].map((x) => Float32Array.of(x, x * x, 1));
    const result = await run(vectors, { k: 10, seed: 1 });
    expect(result.centroids).toHaveLength(5);
    expect(new Set(result.assignments).size).toBe(5);
    expect(result.inertia).toBe(0);
  });

  it('returns one cluster per distinct point when there are duplicates', async () => {
    const distinct = [Float32Array.of(1, 0, 0, 0, 0), Float32Array.of(0, 1, 0, 0, 0)];
    const third = Float32Array.of(0.6, 0.8, 0, 0, 0);
    const vectors = Array.from({ length: 30 }, (_, i) =>
      Float32Array.from([...distinct, third][i % 3] as Float32Array),
    );
    const result = await run(vectors, { k: 10, seed: 5 });
    expect(result.centroids).toHaveLength(3);
    expectContiguous(result.assignments, 3);
    expect(
      samePartition(
        result.assignments,
        vectors.map((_, i) => i % 3),
      ),
    ).toBe(true);
    expect(result.inertia).toBe(0);
  });

  it('handles a single point, one cluster and empty input', async () => {
    const one = await run([Float32Array.of(1, 2, 3)], { k: 3, seed: 1 });
    expect(Array.from(one.assignments)).toEqual([0]);
    expect(Array.from(one.centroids[0] as Float32Array)).toEqual([1, 2, 3]);
    const all = await run(blobs(3, 10, 4, 1).vectors, { k: 1, seed: 1 });
    expect(new Set(all.assignments)).toEqual(new Set([0]));
    const none = await run([], { k: 3, seed: 1 });
    expect(none.assignments).toHaveLength(0);
    await expect(run([Float32Array.of(1)], { k: 0, seed: 1 })).rejects.toThrow(/k must/);
    await expect(
      run([Float32Array.of(1), Float32Array.of(1, 2)], { k: 1, seed: 1 }),
    ).rejects.toThrow(/same length/);
  });

  it('gives identical results on worker threads and in-thread', async () => {
    const { vectors } = blobs(20, 150, 64, 6);
    const progress: number[] = [];
    const local = await run(vectors, { k: 20, seed: 11 });
    const threaded = await kmeans(vectors, {
      k: 20,
      seed: 11,
      threads: 2,
      minWorkForThreads: 0,
      onProgress: (iteration) => progress.push(iteration),
    });
    expect(threaded.assignments).toEqual(local.assignments);
    expect(threaded.centroids).toEqual(local.centroids);
    expect(threaded.inertia).toBe(local.inertia);
    expect(progress).toEqual(Array.from({ length: threaded.iterations }, (_, i) => i + 1));
  });

  it('clusters a random projection when asked, with centroids in the original space', async () => {
    const { vectors, labels } = blobs(5, 40, 64, 0.5);
    const result = await run(vectors, { k: 5, seed: 2, projectDim: 16 });
    expect(result.centroids[0]).toHaveLength(64);
    expect(samePartition(result.assignments, labels)).toBe(true);
  });

  it('re-seeds an empty cluster with the point farthest from its centroid', async () => {
    // Points at 0, 1, 2 and 10 on a line, one centroid far away from all of them.
    const xs = [0, 1, 2, 10];
    const dim = 4;
    const data = new Float32Array(xs.length * dim);
    xs.forEach((x, i) => {
      data[i * dim] = x;
    });
    const state: SharedState = {
      n: xs.length,
      original: { data, norms: Float32Array.from(xs, (x) => x * x), dim },
      centroids: Float32Array.from([1, 0, 0, 0, 100, 0, 0, 0]),
      sums: new Float64Array(2 * dim),
      assignments: new Int32Array(xs.length).fill(-1),
      dists: new Float32Array(xs.length),
      blockInertia: new Float64Array(1),
    };
    const lloyd = new Lloyd(state, new LocalExecutor(state), 2, { tolerance: 0 });
    await lloyd.run('original', 1);
    // All points went to centroid 0; the farthest one (x = 10) now forms cluster 1 alone.
    expect(Array.from(state.assignments)).toEqual([0, 0, 0, 1]);
    expect(Array.from(state.centroids.subarray(0, 2 * dim))).toEqual([1, 0, 0, 0, 10, 0, 0, 0]);
  });

  it('reports a failing worker task as an error and still closes the workers', async () => {
    const shared = (floats: number) => new SharedArrayBuffer(floats * 8);
    const state: SharedState = {
      n: 2,
      original: { data: new Float32Array(shared(8)), norms: new Float32Array(shared(2)), dim: 4 },
      centroids: new Float32Array(shared(4)),
      sums: new Float64Array(shared(4)),
      assignments: new Int32Array(shared(2)),
      dists: new Float32Array(shared(2)),
      blockInertia: new Float64Array(shared(1)),
    };
    const executor = new WorkerExecutor(state, 2);
    try {
      const task = { op: 'assign', space: 'projected', k: 1, start: 0, end: 1 } as const;
      await expect(executor.run([task])).rejects.toThrow(/no projected space/);
      expect(await executor.run([{ op: 'inertia', space: 'original', start: 0, end: 2 }])).toEqual([
        0,
      ]);
    } finally {
      await executor.close();
    }
    await expect(
      executor.run([{ op: 'inertia', space: 'original', start: 0, end: 2 }]),
    ).rejects.toThrow(/closed/);
  });
});
