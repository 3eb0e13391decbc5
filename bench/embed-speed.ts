/**
 * USE-lite's speed with the settings before issue 13 against the current defaults, side by side
 * in one run: `npm run bench -- embed-speed`. Goal: at least 2× the texts per second on the demo
 * texts, with the same clustering quality (NMI, ARI of k-means at k = labels, mean of 5 seeds).
 *
 * Texts: the demo's offline summaries (what the pipeline embeds: the user's turns, cleaned, cut
 * to 40 words; 1,500 with repeats) and the Debian package descriptions from ../shared. Each
 * setting embeds the same list in a fresh embedder after its warm-up; settings alternate over
 * two rounds so that a busy machine slows both alike. CPU time counts every thread.
 * (The demo end to end from a cold cache is in the pipeline bench.)
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kmeans } from '../lib/cluster/kmeans.js';
import { UseLiteEmbedder, type UseLiteOptions } from '../lib/embed/use-lite.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';
import { OFFLINE_SUMMARY_WORDS } from '../lib/llm/offline.js';
import { cleanText, itemText, substantiveText, truncateWords } from '../lib/llm/offline-text.js';
import { cpuNow } from './cold-run.js';
import { type Dataset, loadDatasets } from './embedders.js';

const root = resolve(import.meta.dirname, '..');
const SEEDS = [1, 2, 3, 4, 5];
const ROUNDS = 2;

/** The settings USE-lite ran with before: batches of 32 in the caller's order, stock kernels. */
export const BEFORE: UseLiteOptions = {
  batchSize: 32,
  tokensPerBatch: Number.POSITIVE_INFINITY,
  sortByLength: false,
  fastSplit: false,
  quantizedMatMul: false,
};

const SETTINGS: readonly (readonly [string, UseLiteOptions])[] = [
  ['before (32 in order, stock kernels)', BEFORE],
  ['sorted batches, SplitV, float matmul', { quantizedMatMul: false }],
  ['now (defaults: + int16 matmul)', {}],
];

/** The demo conversations as the offline provider summarizes them. */
async function demoSummaries(): Promise<Dataset> {
  const file = join(root, 'configs/demo-data/support.jsonl');
  const rows = (await readFile(file, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { inputs: unknown; label: string });
  const texts = rows.map((r) =>
    truncateWords(cleanText(substantiveText(itemText([r.inputs]))), OFFLINE_SUMMARY_WORDS),
  );
  return { name: 'demo summaries', texts, labels: rows.map((r) => r.label) };
}

async function quality(data: Dataset, vectors: Float32Array[]) {
  const k = new Set(data.labels).size;
  const runs: { nmi: number; ari: number }[] = [];
  for (const seed of SEEDS) {
    const { assignments } = await kmeans(vectors, { k, seed });
    runs.push(labelScores(data.labels, Array.from(assignments)));
  }
  const avg = (f: (r: { nmi: number; ari: number }) => number) =>
    runs.reduce((s, r) => s + f(r), 0) / runs.length;
  return { nmi: avg((r) => r.nmi), ari: avg((r) => r.ari) };
}

interface Timing {
  wall: number;
  cpu: number;
}

async function timeSetting(options: UseLiteOptions, texts: readonly string[]) {
  const embedder = new UseLiteEmbedder({ threads: 2, ...options });
  try {
    const warm = await embedder.warmup();
    const cpu0 = cpuNow();
    const t0 = performance.now();
    const vectors = await embedder.embed(texts);
    const timing: Timing = { wall: (performance.now() - t0) / 1000, cpu: cpuNow() - cpu0 };
    return { vectors, timing, readyMs: warm.readyMs };
  } finally {
    await embedder.close();
  }
}

export async function runEmbedSpeedBench() {
  const datasets = [await demoSummaries(), ...loadDatasets(console.log).slice(0, 1)];
  console.log('\n== USE-lite speed: settings before issue 13 vs now, same texts, same run ==');
  for (const data of datasets) {
    const distinct = new Set(data.texts).size;
    console.log(`\n${data.name}: ${data.texts.length} texts (${distinct} distinct)`);
    const timings = SETTINGS.map(() => [] as Timing[]);
    const vectors: Float32Array[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [i, [, options]] of SETTINGS.entries()) {
        const run = await timeSetting(options, data.texts);
        timings[i]?.push(run.timing);
        if (round === 0) vectors.push(run.vectors);
      }
    }
    const rate = (ts: readonly Timing[], of: 'wall' | 'cpu') =>
      (data.texts.length * ts.length) / ts.reduce((s, t) => s + t[of], 0);
    const base = timings[0] as Timing[];
    console.log(
      'setting                               texts/s  per CPU-s   × before (wall, CPU)   NMI    ARI',
    );
    for (const [i, [label]] of SETTINGS.entries()) {
      const ts = timings[i] as Timing[];
      const q = await quality(data, vectors[i] as Float32Array[]);
      console.log(
        `${label.padEnd(36)} ${rate(ts, 'wall').toFixed(1).padStart(8)} ${rate(ts, 'cpu').toFixed(1).padStart(10)}` +
          `   ${(rate(ts, 'wall') / rate(base, 'wall')).toFixed(2).padStart(5)}× ${(rate(ts, 'cpu') / rate(base, 'cpu')).toFixed(2).padStart(5)}×` +
          `        ${q.nmi.toFixed(3)}  ${q.ari.toFixed(3)}`,
      );
    }
    console.log('goal: now ≥ 2.00× before in texts/s on the demo texts, NMI and ARI unchanged');
  }
  console.log('(the demo end to end, cold, is in `npm run bench -- pipeline`)');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEmbedSpeedBench();
}
