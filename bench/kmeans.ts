/**
 * k-means benchmark on seeded synthetic embeddings, d = 1024, k = round(√N): N points from √N
 * Gaussian blobs whose centres themselves group into 20 topics, normalised to unit length. The
 * blobs overlap (in-blob cosine ≈ 0.06, blob centres of a topic ≈ 0.5 apart) so, as with real
 * embeddings, Lloyd needs a dozen or more iterations and recovery is not perfect.
 *
 *   npm run bench -- kmeans                          N = 10,000 and 100,000
 *   KMEANS_SIZES=1000000 npm run bench -- kmeans     other sizes (also: node --import tsx bench/kmeans.ts 1000000)
 *   BENCH_FULL_LLOYD=1 ...                           also runs Lloyd to convergence at N > 10k (the
 *                                                    inertia reference; at 1M it takes the better part of an hour)
 *   KMEANS_FIT_SAMPLES=65536,262144 ...              also runs these sizes of fitting sample, side by side
 *   BENCH_FLOAT=1 ...                                also runs every round on float products above 100k
 *                                                    (the default runs int16 rounds, then exact ones)
 *
 * A full-Lloyd reference is saved (in the temp dir) and reused by later runs without
 * BENCH_FULL_LLOYD: the data and seed are fixed, so its inertia does not change.
 *
 * Every run happens in its own child process, so each peak RSS is that run's alone. The data is
 * generated straight into one shared matrix, which k-means reads in place.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  type KMeansOptions,
  type KMeansTuning,
  kmeans,
  matrixRows,
  sharedMatrix,
} from '../lib/cluster/kmeans.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';
import { mulberry32, normalGenerator } from '../lib/util/random.js';

const DIM = 1024;
const TOPICS = 20;
/** Norm of a point's noise relative to its unit blob centre. */
const NOISE = 4;
const SEED = 7;

export interface KmeansBenchRow {
  n: number;
  k: number;
  method: string;
  seconds: number;
  /** Process CPU time (all threads); unlike wall time, not inflated by other load. */
  cpuSeconds: number;
  iterations: number;
  fullPasses: number;
  inertia: number;
  nmi: number;
  /** Peak RSS of the run's process, data included. */
  peakRssMiB: number;
  /** RSS once the data was generated, before k-means started. */
  dataRssMiB: number;
  failed?: string;
}

/** Goals from issue 13: the million-point size must fit one ClusterLevel Lambda. */
const GOALS: Record<number, { seconds?: number; rssGiB?: number }> = {
  100000: { seconds: 13 },
  1000000: { seconds: 300, rssGiB: 6 },
};
const INERTIA_GOAL_PCT = 1;

/** The blobs as one shared row-major matrix (same values, in the same order, as one row each). */
export function makeBlobMatrix(n: number, blobs: number, dim: number, seed: number) {
  const rng = mulberry32(seed);
  const normal = normalGenerator(rng);
  const unit = (v: Float32Array) => {
    let s = 0;
    for (const x of v) s += x * x;
    const inv = 1 / Math.sqrt(s);
    for (let j = 0; j < v.length; j++) v[j] = (v[j] as number) * inv;
    return v;
  };
  const around = (
    centre: Float32Array,
    noise: number,
    out: Float32Array = new Float32Array(dim),
  ) => {
    const scale = noise / Math.sqrt(dim);
    for (let j = 0; j < dim; j++) out[j] = (centre[j] as number) + normal() * scale;
    return unit(out);
  };
  const topics = Array.from({ length: TOPICS }, () => around(new Float32Array(dim), 1));
  const centres = Array.from({ length: blobs }, (_, b) =>
    around(topics[b % TOPICS] as Float32Array, 1),
  );
  const labels = new Int32Array(n);
  const matrix = sharedMatrix(n, dim);
  for (let i = 0; i < n; i++) {
    // Skewed blob sizes, as real topics are: blob b is drawn with density ∝ b^(-1/3).
    const b = Math.floor(rng() ** 1.5 * blobs);
    labels[i] = b;
    around(centres[b] as Float32Array, NOISE, matrix.data.subarray(i * dim, (i + 1) * dim));
  }
  return { matrix, labels };
}

/** The blobs as one Float32Array per point (views into one matrix). */
export function makeBlobs(n: number, blobs: number, dim: number, seed: number) {
  const { matrix, labels } = makeBlobMatrix(n, blobs, dim, seed);
  return { vectors: matrixRows(matrix), labels };
}

const rssMiB = () => process.memoryUsage.rss() / 2 ** 20;
const peakRssMiB = () => process.resourceUsage().maxRSS / 1024;

type Method = 'default' | 'float products' | 'full Lloyd' | `fit sample ${number}`;

function optionsFor(method: Method, k: number): KMeansOptions & KMeansTuning {
  if (method === 'default') return { k, seed: SEED };
  // The default before int16 rounds: every round on exact float products.
  if (method === 'float products') return { k, seed: SEED, int16: false };
  if (method === 'full Lloyd') {
    return {
      k,
      seed: SEED,
      fitSampleSize: Number.POSITIVE_INFINITY,
      tolerance: 0,
      maxIterations: 300,
    };
  }
  return { k, seed: SEED, fitSampleSize: Number(method.replace('fit sample ', '')) };
}

/** The child's side: generate the data, run one method, report. */
async function measure(n: number, method: Method): Promise<KmeansBenchRow> {
  const k = Math.round(Math.sqrt(n));
  const data = makeBlobMatrix(n, k, DIM, 42);
  const dataRssMiB = rssMiB();
  const start = performance.now();
  const cpu = process.cpuUsage();
  const result = await kmeans(data.matrix, optionsFor(method, k));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    n,
    k,
    method,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    iterations: result.iterations,
    fullPasses: result.fullPasses,
    inertia: result.inertia,
    nmi: labelScores(Array.from(data.labels, String), Array.from(result.assignments)).nmi,
    peakRssMiB: peakRssMiB(),
    dataRssMiB,
  };
}

const referenceFile = join(tmpdir(), 'open-clio-kmeans-full-lloyd.json');
type References = Record<string, KmeansBenchRow & { measuredAt: string }>;

function savedReferences(): References {
  try {
    return JSON.parse(readFileSync(referenceFile, 'utf8')) as References;
  } catch {
    return {};
  }
}

function saveReference(row: KmeansBenchRow): void {
  const all = savedReferences();
  all[String(row.n)] = { ...row, measuredAt: new Date().toISOString() };
  writeFileSync(referenceFile, JSON.stringify(all, null, 1));
}

async function inChild(n: number, method: Method): Promise<KmeansBenchRow> {
  const args = ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', String(n), method];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 2 ** 26 });
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as KmeansBenchRow;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const k = Math.round(Math.sqrt(n));
    const nothing = { seconds: 0, cpuSeconds: 0, iterations: 0, fullPasses: 0, inertia: 0 };
    return {
      n,
      k,
      method,
      ...nothing,
      nmi: 0,
      peakRssMiB: 0,
      dataRssMiB: 0,
      failed: stderr.trim().split('\n').slice(-3).join(' ').slice(0, 300),
    };
  }
}

const fmt = (x: number, digits = 0) =>
  x.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function line(row: KmeansBenchRow, reference?: KmeansBenchRow): string {
  if (row.failed) return `  ${row.method}: failed: ${row.failed}`;
  const goal = GOALS[row.n] ?? {};
  const time =
    `${fmt(row.seconds, 1)} s${goal.seconds ? ` (goal ≤ ${goal.seconds} s)` : ''}, ` +
    `CPU ${fmt(row.cpuSeconds, 1)} s`;
  const rssGiB = row.peakRssMiB / 1024;
  const rss =
    `peak RSS ${fmt(rssGiB, 2)} GiB${goal.rssGiB ? ` (goal ≤ ${goal.rssGiB} GiB)` : ''}, ` +
    `data ${fmt(row.dataRssMiB / 1024, 2)} GiB`;
  const versus =
    reference && reference !== row && !reference.failed
      ? `inertia ${fmt(((row.inertia - reference.inertia) / reference.inertia) * 100, 3)} % vs full Lloyd (goal ≤ ${INERTIA_GOAL_PCT} %)`
      : `inertia ${fmt(row.inertia, 1)}`;
  const passes =
    row.fullPasses === row.iterations
      ? `${row.iterations} iterations`
      : `${row.iterations - row.fullPasses} iterations on the sample + ${row.fullPasses} full passes`;
  return `  ${row.method}: ${time}, ${rss}, ${versus}; ${passes}, NMI ${fmt(row.nmi, 4)}`;
}

const listFromEnv = (name: string): number[] =>
  (process.env[name] ?? '')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((x) => Number.isFinite(x) && x > 0);

export async function runKmeansBench(sizes?: number[]): Promise<KmeansBenchRow[]> {
  const chosenSizes = sizes?.length ? sizes : listFromEnv('KMEANS_SIZES');
  const rows: KmeansBenchRow[] = [];
  for (const n of chosenSizes.length > 0 ? chosenSizes : [10_000, 100_000]) {
    const k = Math.round(Math.sqrt(n));
    console.log(`\nk-means ${fmt(n)} × ${fmt(DIM)}, k = ${fmt(k)} (each run in its own process)`);
    const methods: Method[] = [
      'default',
      ...(n <= 100_000 || process.env.BENCH_FLOAT === '1' ? (['float products'] as const) : []),
      ...listFromEnv('KMEANS_FIT_SAMPLES').map((m): Method => `fit sample ${m}`),
    ];
    if (n <= 10_000 || process.env.BENCH_FULL_LLOYD === '1') methods.push('full Lloyd');
    const measured: KmeansBenchRow[] = [];
    for (const method of methods) {
      const row = await inChild(n, method);
      measured.push(row);
      // Printed as it comes: the 1M runs take minutes each.
      console.log(line(row));
    }
    const saved = savedReferences()[String(n)];
    const reference = measured.find((r) => r.method === 'full Lloyd') ?? saved;
    if (reference) {
      const when = measured.includes(reference) ? '' : ` (saved run of ${saved?.measuredAt})`;
      console.log(
        `  against full Lloyd${when}: inertia ${fmt(reference.inertia, 1)}, ${reference.iterations} iterations, ${fmt(reference.seconds, 0)} s`,
      );
      for (const row of measured) if (row !== reference) console.log(line(row, reference));
    }
    rows.push(...measured);
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const row = await measure(Number(args[1]), (args[2] ?? 'default') as Method);
    if (row.method === 'full Lloyd') saveReference(row);
    process.stdout.write(`\n${JSON.stringify(row)}\n`);
    process.exit(0);
  }
  await runKmeansBench(args.map(Number).filter((x) => Number.isFinite(x) && x > 0));
}
