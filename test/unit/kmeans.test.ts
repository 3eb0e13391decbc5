import { describe, expect, it } from 'vitest';
import {
  type KMeansInput,
  type KMeansOptions,
  type KMeansTuning,
  kmeans,
  matrixRows,
  sharedMatrix,
} from '../../lib/cluster/kmeans.js';
import { inPlaceData, SharedRows } from '../../lib/cluster/kmeans-input.js';
import { Lloyd } from '../../lib/cluster/kmeans-lloyd.js';
import type { SharedState } from '../../lib/cluster/kmeans-ops.js';
import { LocalExecutor, WorkerExecutor } from '../../lib/cluster/kmeans-pool.js';
import { DotKernel } from '../../lib/util/dot-kernel.js';
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

const run = (vectors: KMeansInput, options: KMeansOptions & KMeansTuning) =>
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

/** Index of the centroid nearest to `v` (ties to the lower index). */
function nearest(v: Float32Array, centroids: readonly Float32Array[]): number {
  let best = 0;
  let bestDist = Number.POSITIVE_INFINITY;
  centroids.forEach((c, i) => {
    let dist = 0;
    for (let j = 0; j < v.length; j++) dist += ((v[j] as number) - (c[j] as number)) ** 2;
    if (dist < bestDist) {
      bestDist = dist;
      best = i;
    }
  });
  return best;
}

/** The vectors copied into one shared matrix, as a million-point caller would hold them. */
function toMatrix(vectors: readonly Float32Array[]) {
  const dim = (vectors[0] as Float32Array).length;
  const matrix = sharedMatrix(vectors.length, dim);
  vectors.forEach((v, i) => {
    matrix.data.set(v, i * dim);
  });
  return matrix;
}

describe('kmeans on a fitting sample, then full passes', () => {
  it('fits a tenth of the points, then gives every point its nearest centre', async () => {
    const { vectors, labels } = blobs(6, 100, 16, 0.5);
    const result = await run(vectors, { k: 6, seed: 3, fitSampleSize: 60 });
    expect(result.fullPasses).toBeGreaterThanOrEqual(1);
    expect(result.iterations).toBeGreaterThan(result.fullPasses);
    expect(samePartition(result.assignments, labels)).toBe(true);
    vectors.forEach((v, i) => {
      expect(nearest(v, result.centroids)).toBe(result.assignments[i]);
    });
  });

  it('ends within 1 % of the inertia of Lloyd on all points', async () => {
    const { vectors } = blobs(12, 200, 32, 5);
    const full = await run(vectors, { k: 12, seed: 4, fitSampleSize: Number.POSITIVE_INFINITY });
    const sampled = await run(vectors, { k: 12, seed: 4, fitSampleSize: 400 });
    expect(full.fullPasses).toBe(full.iterations);
    expect(sampled.fullPasses).toBeLessThan(sampled.iterations);
    expect(sampled.inertia).toBeLessThan(full.inertia * 1.01);
  });

  it('is deterministic and the same on worker threads as in-thread', async () => {
    const { vectors } = blobs(20, 150, 64, 6);
    const options = { k: 20, seed: 11, fitSampleSize: 500 };
    const local = await run(vectors, options);
    const again = await run(vectors, options);
    const threaded = await kmeans(vectors, { ...options, threads: 2, minWorkForThreads: 0 });
    for (const other of [again, threaded]) {
      expect(other.assignments).toEqual(local.assignments);
      expect(other.centroids).toEqual(local.centroids);
      expect(other.inertia).toBe(local.inertia);
      expect(other.iterations).toBe(local.iterations);
    }
  });

  it('stops the full passes once one gains less than minImprovement', async () => {
    const { vectors } = blobs(30, 40, 32, 8);
    // Float rounds only: with int16 rounds first, the exact rounds after them count as well.
    const options = { k: 30, seed: 2, fitSampleSize: 120, tolerance: 0, int16: false };
    const patient = await run(vectors, { ...options, minImprovement: 0 });
    const hasty = await run(vectors, { ...options, minImprovement: 0.5 });
    // The first full pass has nothing to compare with; the second gains less than half.
    expect(hasty.fullPasses).toBe(2);
    expect(patient.fullPasses).toBeGreaterThan(2);
  });
});

describe('int16 rounds', () => {
  it('end exact: at convergence every point sits with its nearest centroid, by float distance', async () => {
    const { vectors } = blobs(12, 60, 48, 9, 3);
    const result = await run(vectors, { k: 12, seed: 5, tolerance: 0, maxIterations: 300 });
    expect(result.iterations).toBeLessThanOrEqual(300);
    vectors.forEach((v, p) => {
      const distances = result.centroids.map((c) =>
        v.reduce((s, x, j) => s + (x - (c[j] as number)) ** 2, 0),
      );
      const nearest = distances.indexOf(Math.min(...distances));
      expect(distances[result.assignments[p] as number]).toBeCloseTo(
        distances[nearest] as number,
        3,
      );
    });
  });

  it('find the same partition as float rounds on separated blobs, within maxIterations', async () => {
    const { vectors, labels } = blobs(20, 30, 64, 2, 4);
    const int16 = await run(vectors, { k: 20, seed: 1 });
    const float = await run(vectors, { k: 20, seed: 1, int16: false });
    expect(samePartition(int16.assignments, float.assignments)).toBe(true);
    expect(samePartition(int16.assignments, labels)).toBe(true);
    const capped = await run(vectors, { k: 20, seed: 1, maxIterations: 3 });
    expect(capped.iterations).toBeLessThanOrEqual(3);
  });
});

describe('kmeans input', () => {
  it('gives the same result for a shared matrix, its row views and separate rows', async () => {
    const { vectors } = blobs(8, 50, 24, 4);
    const matrix = toMatrix(vectors);
    const options = { k: 8, seed: 42 };
    const fromRows = await run(vectors, options);
    for (const input of [matrix, matrixRows(matrix)]) {
      const result = await run(input, options);
      expect(result.assignments).toEqual(fromRows.assignments);
      expect(result.centroids).toEqual(fromRows.centroids);
      expect(result.inertia).toBe(fromRows.inertia);
    }
    const threaded = await kmeans(matrix, { ...options, threads: 2, minWorkForThreads: 0 });
    expect(threaded.assignments).toEqual(fromRows.assignments);
  });

  it('reads a shared matrix or its row views in place and copies anything else', () => {
    const { vectors } = blobs(2, 5, 8, 1);
    const matrix = toMatrix(vectors);
    for (const input of [matrix, matrixRows(matrix)]) {
      const view = inPlaceData(input, true);
      expect(view?.buffer).toBe(matrix.data.buffer);
      expect(view?.length).toBe(10 * 8);
    }
    // Separate rows, rows out of order, and unshared memory when workers must read it.
    expect(inPlaceData(vectors, false)).toBeUndefined();
    expect(inPlaceData(matrixRows(matrix).reverse(), true)).toBeUndefined();
    const unshared = { data: new Float32Array(80), rows: 10, dim: 8 };
    expect(inPlaceData(unshared, true)).toBeUndefined();
    expect(inPlaceData(unshared, false)?.buffer).toBe(unshared.data.buffer);
    // Rows that are not a multiple of 4 floats need padding, hence a copy.
    expect(inPlaceData(sharedMatrix(3, 6), true)).toBeUndefined();
  });

  it('collects vectors one by one into one shared buffer that k-means reads in place', () => {
    const { vectors } = blobs(3, 4, 8, 1);
    for (const expected of [12, 5, 0]) {
      const rows = new SharedRows(expected);
      for (const v of vectors) rows.append(v);
      const views = rows.rows();
      expect(views).toEqual(vectors);
      expect(views[0]?.buffer).toBeInstanceOf(SharedArrayBuffer);
      expect(inPlaceData(views, true)?.buffer).toBe(views[0]?.buffer);
    }
    expect(new SharedRows(2).rows()).toEqual([]);
    const ragged = new SharedRows(2);
    ragged.append(Float32Array.of(1, 2, 3, 4));
    expect(() => ragged.append(Float32Array.of(1, 2))).toThrow(/same length/);
  });
});
