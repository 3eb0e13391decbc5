/**
 * k-means benchmark on seeded synthetic embeddings, d = 1024, k = round(√N): N points from √N
 * Gaussian blobs whose centres themselves group into 20 topics, normalised to unit length. The
 * blobs overlap (in-blob cosine ≈ 0.06, blob centres of a topic ≈ 0.5 apart) so, as with real
 * embeddings, Lloyd needs a dozen or more iterations and recovery is not perfect.
 *
 *   node --import tsx bench/kmeans.ts [N ...]        (default 10000 100000)
 *   BENCH_FULL_LLOYD=1 ...                           also runs Lloyd to convergence at N > 10k
 */
import { pathToFileURL } from 'node:url';
import { type KMeansOptions, type KMeansTuning, kmeans } from '../lib/cluster/kmeans.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';
import { mulberry32, normalGenerator } from '../lib/util/random.js';

const DIM = 1024;
const TOPICS = 20;
/** Norm of a point's noise relative to its unit blob centre. */
const NOISE = 4;

export interface KmeansBenchRow {
  n: number;
  k: number;
  method: string;
  seconds: number;
  /** Process CPU time (all threads); unlike wall time, not inflated by other load. */
  cpuSeconds: number;
  iterations: number;
  inertia: number;
  nmi: number;
  peakRssMiB: number;
}

export function makeBlobs(n: number, blobs: number, dim: number, seed: number) {
  const rng = mulberry32(seed);
  const normal = normalGenerator(rng);
  const unit = (v: Float32Array) => {
    let s = 0;
    for (const x of v) s += x * x;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) * inv;
    return v;
  };
  const around = (centre: Float32Array, noise: number) => {
    const scale = noise / Math.sqrt(dim);
    return unit(centre.map((x) => x + normal() * scale));
  };
  const topics = Array.from({ length: TOPICS }, () => around(new Float32Array(dim), 1));
  const centres = Array.from({ length: blobs }, (_, b) =>
    around(topics[b % TOPICS] as Float32Array, 1),
  );
  const labels = new Int32Array(n);
  const vectors: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    // Skewed blob sizes, as real topics are: blob b is drawn with density ∝ b^(-1/3).
    const b = Math.floor(rng() ** 1.5 * blobs);
    labels[i] = b;
    vectors.push(around(centres[b] as Float32Array, NOISE));
  }
  return { vectors, labels };
}

const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

async function timed(
  vectors: Float32Array[],
  labels: Int32Array,
  method: string,
  options: KMeansOptions & KMeansTuning,
): Promise<KmeansBenchRow> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await kmeans(vectors, options);
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    n: vectors.length,
    k: options.k,
    method,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    iterations: result.iterations,
    inertia: result.inertia,
    nmi: labelScores(Array.from(labels, String), Array.from(result.assignments)).nmi,
    peakRssMiB: peakRssMiB(),
  };
}

function print(row: KmeansBenchRow, reference?: KmeansBenchRow): void {
  const versus = reference
    ? ` (${(((row.inertia - reference.inertia) / reference.inertia) * 100).toFixed(3)}% vs full Lloyd)`
    : '';
  console.log(
    `  ${row.method.padEnd(26)} ${row.seconds.toFixed(2).padStart(6)} s (cpu ${row.cpuSeconds.toFixed(1).padStart(5)} s)  ` +
      `${String(row.iterations).padStart(3)} it  inertia ${row.inertia.toFixed(2)}${versus}  ` +
      `NMI ${row.nmi.toFixed(4)}  peak RSS ${row.peakRssMiB.toFixed(0)} MiB`,
  );
}

export async function runKmeansBench(
  sizes: number[] = [10_000, 100_000],
): Promise<KmeansBenchRow[]> {
  const rows: KmeansBenchRow[] = [];
  for (const n of sizes) {
    const k = Math.round(Math.sqrt(n));
    const { vectors, labels } = makeBlobs(n, k, DIM, 42);
    console.log(`k-means N=${n} d=${DIM} k=${k} (data RSS ${peakRssMiB().toFixed(0)} MiB)`);
    const chosen = await timed(vectors, labels, 'default', { k, seed: 7 });
    const runFull = n <= 10_000 || process.env.BENCH_FULL_LLOYD === '1';
    const full = runFull
      ? await timed(vectors, labels, 'full Lloyd (no projection)', {
          k,
          seed: 7,
          projectDim: 0,
          tolerance: 0,
          maxIterations: 300,
        })
      : undefined;
    print(chosen, full);
    rows.push(chosen);
    if (n <= 10_000) {
      // The default only projects big jobs; show what projection costs in quality here too.
      const projected = await timed(vectors, labels, 'projected to 256-d', {
        k,
        seed: 7,
        projectDim: 256,
      });
      print(projected, full);
      rows.push(projected);
    }
    if (full) {
      print(full);
      rows.push(full);
    }
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const sizes = process.argv.slice(2).map(Number).filter(Number.isFinite);
  await runKmeansBench(sizes.length > 0 ? sizes : undefined);
}
