/**
 * The AWS deployment at 100k items a run: how to size the Summarize map against the provider's
 * rate limit (a model), what the heavy steps take in time and memory (measured: each step in its
 * own Node process, as in its own Lambda, on synthetic summaries and vectors), how large the
 * state payloads get, and what a run costs on the AWS side at list prices.
 *
 *   node --import tsx bench/aws-scale.ts [items] [dim] [words]   (default 100000 1024 90)
 *
 * `words` per message, two messages an item: 90 makes items of about 1.3 KB.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { z } from 'zod';
import { vectorToBase64 } from '../lib/embed/cached.js';
import { STEPS, type StepName } from '../lib/infra/functions.js';
import { emptyUsage } from '../lib/llm/types.js';
import * as staged from '../lib/pipeline/staged/index.js';
import {
  itemSchema,
  RUN_KEYS,
  readJson,
  runStore,
  writeJson,
} from '../lib/pipeline/staged/layout.js';
import { createEmbedder, createLlm } from '../lib/providers.js';
import { FsStore } from '../lib/store/fs-store.js';
import type { Store } from '../lib/store/types.js';
import { makeBlobs } from './kmeans.js';

/** us-east-1 list prices as of writing (November 2026): check them before relying on totals. */
const PRICE = {
  lambdaGbSecond: 0.0000133334, // arm64, the first 6 billion GB-s of a month
  lambdaRequest: 0.2 / 1e6,
  stateTransition: 0.025 / 1000, // Standard, Distributed Map children included
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3GbMonth: 0.023,
  dynamoWriteUnit: 0.625 / 1e6, // on-demand
  logsGb: 0.5,
};
/** One summary: its tokens and latency (assumptions), the config's default concurrency. */
const CALL = { inputTokens: 1500, outputTokens: 100, latencySeconds: 3, maxConcurrency: 8 };
const BATCH_SIZE = 100;
/** Example account limits for one model: requests, input and output tokens a minute. */
const TIERS = [
  { name: 'entry', rpm: 50, itpm: 50_000, otpm: 10_000 },
  { name: 'mid', rpm: 1_000, itpm: 450_000, otpm: 90_000 },
  { name: 'high', rpm: 4_000, itpm: 2_000_000, otpm: 400_000 },
];
type Tier = (typeof TIERS)[number];
/** A Lambda's S3 calls, made one after another: latency per call, and throughput. */
const S3_MS_PER_CALL = 25;
const S3_MIB_PER_SECOND = 80;
const gib = (bytes: number) => bytes / 2 ** 30;

/** Summarize Lambdas that keep the account at its limit, and what that makes of a run. */
export function summarizePlan(items: number, tier: Tier) {
  const perMinute = Math.min(tier.rpm, tier.itpm / CALL.inputTokens, tier.otpm / CALL.outputTokens);
  const inFlight = (perMinute / 60) * CALL.latencySeconds;
  const batches = Math.ceil(items / BATCH_SIZE);
  const lambdas = Math.min(batches, Math.max(1, Math.ceil(inFlight / CALL.maxConcurrency)));
  const perLambda = Math.floor(perMinute / lambdas);
  const pace = Math.min(perLambda, (CALL.maxConcurrency / CALL.latencySeconds) * 60);
  const runMinutes = items / perMinute;
  const gbSeconds = lambdas * runMinutes * 60 * (STEPS.summarizeBatch.memoryMiB / 1024);
  // A batch should end well inside Lambda's 15 minutes: 10, for retries and the cold start.
  return {
    perMinute,
    inFlight,
    lambdas,
    perLambda,
    batchMinutes: BATCH_SIZE / pace,
    maxBatch: Math.floor(10 * pace),
    runMinutes,
    gbSeconds,
  };
}

type Traffic = Record<'gets' | 'puts' | 'read' | 'written', number>;
const counted = (store: Store, t: Traffic): Store => ({
  location: store.location,
  read: async (key) => {
    const text = await store.read(key);
    t.gets++;
    t.read += text?.length ?? 0;
    return text;
  },
  write: async (key, body) => {
    t.puts++;
    t.written += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    await store.write(key, body);
  },
});

interface StepRun extends Traffic {
  readonly step: string;
  readonly memoryMiB: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly output: Record<string, unknown>;
  readonly failed?: string;
}

/** The child's side: one step, its time, peak RSS and store traffic. */
async function runStep(step: string, dir: string, runId: string) {
  const traffic: Traffic = { gets: 0, puts: 0, read: 0, written: 0 };
  const deps: staged.StagedDeps = {
    artifacts: counted(new FsStore(join(dir, 'artifacts')), traffic),
    configs: counted(new FsStore(dir), traffic),
    createEmbedder,
    createLlm,
    batchSize: BATCH_SIZE,
  };
  const started = performance.now();
  const [name, level] = step.split(':');
  const output: object =
    name === 'prepare'
      ? await staged.prepareRun({ configKey: 'configs/bench.json' }, deps)
      : name === 'summarizeBatch'
        ? await staged.summarizeBatch({ runId, batchKey: RUN_KEYS.itemBatch(1) }, deps)
        : name === 'clusterLevel'
          ? await staged.clusterLevel({ runId, level: Number(level) }, deps)
          : await staged.finalizeRun({ runId }, deps);
  const seconds = (performance.now() - started) / 1000;
  return { ...traffic, seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, output };
}

/** One step in a fresh Node with its heap capped at the function's memory, as a cold Lambda. */
async function inChild(step: string, dir: string, runId = ''): Promise<StepRun> {
  const { memoryMiB } = STEPS[step.split(':')[0] as StepName];
  const node = [`--max-old-space-size=${memoryMiB}`, '--import', 'tsx'];
  const args = [...node, fileURLToPath(import.meta.url), '--step', step, dir, runId];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 2 ** 26 });
    return { step, memoryMiB, ...JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') };
  } catch (error) {
    // The error line and where it came from, e.g. a RangeError from V8's string length limit.
    const lines = String((error as { stderr?: string }).stderr).split('\n');
    const at = lines.findIndex((l) => /^\w*Error\b/.test(l));
    const failed = [
      lines[at],
      lines
        .slice(at + 1)
        .find((l) => l.includes('/lib/') && !l.includes('node_modules'))
        ?.trim(),
    ];
    const nothing = { gets: 0, puts: 0, read: 0, written: 0, seconds: 0, peakRssMiB: 0 };
    return { step, memoryMiB, ...nothing, output: {}, failed: failed.join(' ') };
  }
}

const WORDS = ['refund', 'login', 'export', 'billing', 'invoice', 'password', 'upgrade', 'sso'];
const text = (seed: number, words: number) =>
  Array.from(
    { length: words },
    (_, w) => `${WORDS[(seed * 7 + w * 3) % WORDS.length]}${w % 5}`,
  ).join(' ');

/** The uploaded config and its JSONL data. */
async function writeSource(dir: string, items: number, words: number, hierarchy: number[]) {
  await mkdir(join(dir, 'configs'), { recursive: true });
  const config = {
    source: { file: 'bench.jsonl' },
    hierarchy,
    summary_prompt: 'Summarize: {{example.inputs.messages}}',
    llm: { provider: 'offline' },
  };
  await writeFile(join(dir, 'configs/bench.json'), JSON.stringify(config));
  const messages = (i: number) => [
    { role: 'user', content: text(i, words) },
    { role: 'assistant', content: text(i + 1, words) },
  ];
  const rows = Array.from({ length: items }, (_, i) =>
    JSON.stringify({ id: `c${i}`, inputs: { messages: messages(i) } }),
  );
  const data = rows.join('\n');
  await writeFile(join(dir, 'configs/bench.jsonl'), data);
  return data.length / items;
}

/** What the Map would have left: per batch, a summary and a unit vector per item. */
async function writeSummaries(dir: string, runId: string, items: number, dim: number) {
  const store = runStore(new FsStore(join(dir, 'artifacts')), runId);
  const { vectors, labels } = makeBlobs(items, Math.round(Math.sqrt(items)), dim, 42);
  const list = await readJson(
    store,
    RUN_KEYS.batchList,
    z.array(z.object({ runId: z.string(), batchKey: z.string() })),
  );
  let i = 0;
  for (const { batchKey } of list) {
    const summaries = (await readJson(store, batchKey, z.array(itemSchema))).map(({ id }) => {
      const topic = labels[i] ?? 0;
      const summary = `The user asks about ${WORDS[topic % WORDS.length]} (case ${topic}): ${text(topic, 25)}.`;
      return {
        id,
        summary,
        partition: 'default',
        vector: vectorToBase64(vectors[i++] as Float32Array),
      };
    });
    const batch = { summaries, failures: [], warnings: [], usage: emptyUsage() };
    await writeJson(store, RUN_KEYS.summaryBatch(batchKey), batch);
  }
  return list;
}

/** Seconds on Lambda: the local time plus the step's S3 calls, one after another. */
const onLambda = (s: StepRun) =>
  s.seconds +
  ((s.gets + s.puts) * S3_MS_PER_CALL) / 1000 +
  (s.read + s.written) / 2 ** 20 / S3_MIB_PER_SECOND;
const kib = (value: unknown) => (Buffer.byteLength(JSON.stringify(value)) / 1024).toFixed(2);

function printPlan(items: number): void {
  console.log(
    `Summarize plan, assuming per item ${CALL.inputTokens} input + ${CALL.outputTokens} output tokens, ` +
      `${CALL.latencySeconds} s a call, max_concurrency ${CALL.maxConcurrency}, batches of ${BATCH_SIZE}:`,
  );
  console.log(
    '  limits RPM/ITPM/OTPM     sustained  in flight  summarizeConcurrency  requests_per_minute  a batch    the run   GB-s',
  );
  for (const tier of TIERS) {
    const p = summarizePlan(items, tier);
    console.log(
      `  ${`${tier.name} ${tier.rpm}/${tier.itpm}/${tier.otpm}`.padEnd(24)} ${p.perMinute.toFixed(0).padStart(6)}/min ${p.inFlight.toFixed(1).padStart(9)}` +
        `  ${String(p.lambdas).padStart(20)}  ${String(p.perLambda).padStart(19)}  ${p.batchMinutes.toFixed(1).padStart(4)} min ` +
        `${(p.runMinutes / 60).toFixed(1).padStart(5)} h ${p.gbSeconds.toFixed(0).padStart(7)}   (batches up to ${p.maxBatch} fit)`,
    );
  }
}

function printSteps(steps: StepRun[]): void {
  console.log(
    `  step            local s  peak RSS of memory   S3 GET   PUT    MiB  ≈ on Lambda (S3 ${S3_MS_PER_CALL} ms a call, ${S3_MIB_PER_SECOND} MiB/s)`,
  );
  for (const s of steps) {
    if (s.failed) {
      console.log(`  ${s.step.padEnd(14)} FAILED: ${s.failed}`);
      continue;
    }
    const rss = `${s.peakRssMiB.toFixed(0)} of ${s.memoryMiB} MiB (${((s.peakRssMiB / s.memoryMiB) * 100).toFixed(0)}%)`;
    const mib = ((s.read + s.written) / 2 ** 20).toFixed(0);
    console.log(
      `  ${s.step.padEnd(14)} ${s.seconds.toFixed(1).padStart(7)}  ${rss.padEnd(24)} ${String(s.gets).padStart(5)} ${String(s.puts).padStart(5)} ${mib.padStart(6)}` +
        `  ${onLambda(s).toFixed(0).padStart(4)} s of 900 (${(900 / onLambda(s)).toFixed(1)}× margin)`,
    );
  }
}

function printCost(
  items: number,
  batches: number,
  summarize: StepRun,
  heavy: StepRun[],
  levels: number,
): void {
  const plan = summarizePlan(items, TIERS[2] as Tier);
  const gbSeconds = (s: StepRun) => onLambda(s) * (s.memoryMiB / 1024);
  // Paced LLM calls, plus each batch's own work after them (embedding; here the offline model).
  const summarizeGbS = plan.gbSeconds + batches * gbSeconds(summarize);
  const lambdaGbS = summarizeGbS + heavy.reduce((n, s) => n + gbSeconds(s), 0);
  const total = (pick: (s: StepRun) => number) =>
    batches * pick(summarize) + heavy.reduce((n, s) => n + pick(s), 0);
  const [gets, puts, written] = [
    total((s) => s.gets),
    total((s) => s.puts),
    total((s) => s.written),
  ];
  const transitions = 8 + 3 * levels + 3 * batches; // a child: its start, its task, one retry
  const writeUnits = 20 + 2 * 400; // run item and index; clusters of ≤ 2 KB, a few hundred
  const logsGb = gib(batches * 6 * 1024); // execution events with data, function logs
  const rows: [string, number][] = [
    [
      `Lambda ${lambdaGbS.toFixed(0)} GB-s (Summarize ${summarizeGbS.toFixed(0)}, "high" plan) + ${batches + heavy.length} requests`,
      lambdaGbS * PRICE.lambdaGbSecond + (batches + heavy.length) * PRICE.lambdaRequest,
    ],
    [`Step Functions ≈ ${transitions} state transitions`, transitions * PRICE.stateTransition],
    [`S3 ${puts} PUT + ${gets} GET`, puts * PRICE.s3Put + gets * PRICE.s3Get],
    [
      `S3 ${gib(written).toFixed(2)} GB written, kept a month (intermediates expire after 30 days)`,
      gib(written) * PRICE.s3GbMonth,
    ],
    [`DynamoDB ≈ ${writeUnits} write units`, writeUnits * PRICE.dynamoWriteUnit],
    [`CloudWatch Logs ≈ ${(logsGb * 1024).toFixed(0)} MB`, logsGb * PRICE.logsGb],
  ];
  console.log(`AWS cost of the run (us-east-1 list prices as of writing; the LLM not included):`);
  for (const [what, usd] of rows) console.log(`  $${usd.toFixed(4).padStart(7)}  ${what}`);
  console.log(
    `  $${rows
      .reduce((n, [, usd]) => n + usd, 0)
      .toFixed(2)
      .padStart(7)}  in all`,
  );
}

export async function runAwsScaleBench(items = 100_000, dim = 1024, words = 90): Promise<void> {
  console.log(`\n== AWS: ${items.toLocaleString('en')} items a run ==`);
  printPlan(items);
  const hierarchy = [Math.round(Math.sqrt(items)), 30, 5].filter(
    (k, i, all) => i === 0 || k < (all[i - 1] ?? 0),
  );
  const dir = await mkdtemp(join(tmpdir(), 'clio-aws-scale-'));
  try {
    const itemBytes = await writeSource(dir, items, words, hierarchy);
    console.log(
      `Steps, each in a fresh Node (items of ${(itemBytes / 1024).toFixed(1)} KiB, hierarchy ` +
        `${hierarchy.join('/')}, ${dim}-d vectors, offline LLM):`,
    );
    const prepare = await inChild('prepare', dir);
    const runId = String(prepare.output.runId);
    const summarize = await inChild('summarizeBatch', dir, runId);
    const list = await writeSummaries(dir, runId, items, dim);
    const levels: StepRun[] = [];
    for (const level of hierarchy.keys())
      levels.push(await inChild(`clusterLevel:${level}`, dir, runId));
    const finalize = await inChild('finalize', dir, runId);
    printSteps([prepare, summarize, ...levels, finalize]);

    const last = levels.at(-1)?.output;
    const end = {
      configKey: 'configs/bench.json',
      trigger: `upload#${'f'.repeat(32)}`,
      prepare: prepare.output,
      next: last,
      level: last,
      result: finalize.output,
    };
    console.log('State payloads (the limit is 256 KiB), KiB:');
    console.log(
      `  Prepare's output ${kib(prepare.output)}, a Map child's input ${kib(list[0])}, SummarizeBatch's output ${kib(summarize.output)}, ` +
        `ClusterLevel's ${kib(last)}, Finalize's ${kib(finalize.output)}; the whole state at the end ${kib(end)}`,
    );
    console.log(
      `  (the batch list the ItemReader reads from S3, not part of the state: ${kib(list)})`,
    );
    printCost(items, list.length, summarize, [prepare, ...levels, finalize], levels.length);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--step') {
    const [, step = '', dir = '', runId = ''] = args;
    process.stdout.write(`\n${JSON.stringify(await runStep(step, dir, runId))}\n`);
    // The embedder's and k-means's worker threads would keep a finished step alive.
    process.exit(0);
  }
  const [items, dim, words] = args.map(Number);
  await runAwsScaleBench(items || undefined, dim || undefined, words || undefined);
}
