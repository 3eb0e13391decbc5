/**
 * The AWS deployment at 100k items a run: how to size the Summarize map against the provider's
 * rate limit (a model), what the heavy steps cost in time and memory (measured here, each step
 * in its own process as in its own Lambda, on synthetic summaries and vectors), how large the
 * state payloads get, and what a run costs on the AWS side at list prices.
 *
 *   node --import tsx bench/aws-scale.ts [items] [dim]        (default 100000 1024)
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
import {
  clusterLevel,
  finalizeRun,
  prepareRun,
  type StagedDeps,
  summarizeBatch,
} from '../lib/pipeline/staged/index.js';
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

/** us-east-1 list prices as of writing (November 2026); check them before relying on totals. */
const PRICE = {
  lambdaGbSecond: 0.0000133334, // arm64, first 6 billion GB-s a month
  lambdaRequest: 0.2 / 1e6,
  stateTransition: 0.025 / 1000, // Standard workflows, Distributed Map children included
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3GbMonth: 0.023,
  dynamoWriteUnit: 0.625 / 1e6, // on-demand
  logsGb: 0.5,
};
/** What one summary costs the provider's limits and takes; assumptions, not measurements. */
const CALL = { inputTokens: 1500, outputTokens: 100, latencySeconds: 3, maxConcurrency: 8 };
const BATCH_SIZE = 100;
/** Example account limits for one model (requests, input and output tokens a minute). */
const TIERS = [
  { name: 'entry', rpm: 50, itpm: 50_000, otpm: 10_000 },
  { name: 'mid', rpm: 1_000, itpm: 450_000, otpm: 90_000 },
  { name: 'high', rpm: 4_000, itpm: 2_000_000, otpm: 400_000 },
];
/** Sequential S3 calls from a Lambda: first-byte latency per call, and throughput. */
const S3_MS_PER_CALL = 25;
const S3_MB_PER_SECOND = 80;

/** How many Summarize Lambdas keep the account at its limit, and what that makes of a run. */
export function summarizePlan(items: number, tier: (typeof TIERS)[number]) {
  const perMinute = Math.min(tier.rpm, tier.itpm / CALL.inputTokens, tier.otpm / CALL.outputTokens);
  const inFlight = (perMinute / 60) * CALL.latencySeconds;
  const batches = Math.ceil(items / BATCH_SIZE);
  const lambdas = Math.min(batches, Math.max(1, Math.ceil(inFlight / CALL.maxConcurrency)));
  const perLambda = Math.floor(perMinute / lambdas);
  const unpaced = (CALL.maxConcurrency / CALL.latencySeconds) * 60;
  const runMinutes = items / perMinute;
  return {
    perMinute,
    inFlight,
    lambdas,
    perLambda,
    batchMinutes: BATCH_SIZE / Math.min(perLambda, unpaced),
    // A batch should end well inside Lambda's 15 minutes: 10, retries and cold start aside.
    maxBatch: Math.floor(10 * Math.min(perLambda, unpaced)),
    runMinutes,
    gbSeconds: lambdas * runMinutes * 60 * (STEPS.summarizeBatch.memoryMiB / 1024),
  };
}

interface Counts {
  gets: number;
  puts: number;
  bytes: number;
}
const counting = (store: Store, c: Counts): Store => ({
  location: store.location,
  read: async (key) => {
    const text = await store.read(key);
    c.gets++;
    c.bytes += text?.length ?? 0;
    return text;
  },
  write: async (key, body) => {
    c.puts++;
    c.bytes += typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
    await store.write(key, body);
  },
});

interface StepRun extends Counts {
  readonly step: string;
  readonly memoryMiB: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly output: Record<string, unknown>;
}

/** One step in this process (the child side): its time, peak RSS and store traffic. */
async function runStep(
  step: string,
  dir: string,
  runId: string,
): Promise<Omit<StepRun, 'step' | 'memoryMiB'>> {
  const counts: Counts = { gets: 0, puts: 0, bytes: 0 };
  const deps: StagedDeps = {
    artifacts: counting(new FsStore(join(dir, 'artifacts')), counts),
    configs: counting(new FsStore(dir), counts),
    createEmbedder,
    createLlm,
    batchSize: BATCH_SIZE,
  };
  const started = performance.now();
  const [name, level] = step.split(':');
  const output: object =
    name === 'prepare'
      ? await prepareRun({ configKey: 'configs/bench.json' }, deps)
      : name === 'summarize'
        ? await summarizeBatch({ runId, batchKey: RUN_KEYS.itemBatch(1) }, deps)
        : name === 'cluster'
          ? await clusterLevel({ runId, level: Number(level) }, deps)
          : await finalizeRun({ runId }, deps);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  return { ...counts, seconds, peakRssMiB, output: output as Record<string, unknown> };
}

const STEP_OF: Record<string, StepName> = {
  prepare: 'prepare',
  summarize: 'summarizeBatch',
  cluster: 'clusterLevel',
  finalize: 'finalize',
};

/** One step in a fresh Node, its heap capped at the function's memory, as a cold Lambda. */
async function inChild(step: string, dir: string, runId = ''): Promise<StepRun> {
  const memoryMiB = STEPS[STEP_OF[step.split(':')[0] ?? ''] ?? 'prepare'].memoryMiB;
  const args = [
    `--max-old-space-size=${memoryMiB}`,
    '--import',
    'tsx',
    fileURLToPath(import.meta.url),
  ];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [...args, '--step', step, dir, runId],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}');
  console.log(
    `  ${step.padEnd(10)} ${result.seconds.toFixed(1).padStart(6)} s  peak RSS ${result.peakRssMiB.toFixed(0).padStart(5)} MiB of ${memoryMiB}` +
      `  S3: ${result.gets} GET ${result.puts} PUT ${(result.bytes / 2 ** 20).toFixed(0)} MiB`,
  );
  return { step, memoryMiB, ...result };
}

const TOPICS = [
  'refund',
  'login',
  'export',
  'billing',
  'invoice',
  'password',
  'upgrade',
  'api',
  'sso',
  'webhook',
];
const text = (i: number, words: number) =>
  Array.from(
    { length: words },
    (_, w) => `${TOPICS[(i * 7 + w * 3) % TOPICS.length]}${w % 5}`,
  ).join(' ');

/** The uploaded config and its data: `items` conversations of about 1.3 KB. */
async function writeSource(dir: string, items: number, hierarchy: number[]) {
  await mkdir(join(dir, 'configs'), { recursive: true });
  const config = {
    source: { file: 'bench.jsonl' },
    hierarchy,
    summary_prompt: 'Summarize: {{example.inputs.messages}}',
  };
  await writeFile(join(dir, 'configs/bench.json'), JSON.stringify(config));
  const rows = Array.from({ length: items }, (_, i) =>
    JSON.stringify({
      id: `c${i}`,
      inputs: {
        messages: [
          { role: 'user', content: text(i, 90) },
          { role: 'assistant', content: text(i + 1, 90) },
        ],
      },
    }),
  );
  await writeFile(join(dir, 'configs/bench.jsonl'), rows.join('\n'));
}

/** What the Map would have written: per batch, a summary and a unit vector per item. */
async function writeSummaries(dir: string, runId: string, items: number, dim: number) {
  const store = runStore(new FsStore(join(dir, 'artifacts')), runId);
  const { vectors, labels } = makeBlobs(items, Math.round(Math.sqrt(items)), dim, 42);
  const batches = await readJson(
    store,
    RUN_KEYS.batchList,
    z.array(z.object({ batchKey: z.string() })),
  );
  let i = 0;
  for (const { batchKey } of batches) {
    const batch = await readJson(store, batchKey, z.array(itemSchema));
    const summaries = batch.map((item) => {
      const topic = TOPICS[(labels[i] ?? 0) % TOPICS.length];
      const summary = `The user asks about ${topic} in case ${labels[i]}: ${text(labels[i] ?? 0, 25)}.`;
      return {
        id: item.id,
        summary,
        partition: 'default',
        vector: vectorToBase64(vectors[i++] as Float32Array),
      };
    });
    await writeJson(store, RUN_KEYS.summaryBatch(batchKey), {
      summaries,
      failures: [],
      warnings: [],
      usage: emptyUsage(),
    });
  }
}

const kib = (value: unknown) => Buffer.byteLength(JSON.stringify(value)) / 1024;

export async function runAwsScaleBench(items = 100_000, dim = 1024): Promise<void> {
  console.log(`\n== AWS at ${items.toLocaleString('en')} items a run ==`);
  console.log(
    `Summarize plan (assumed per item: ${CALL.inputTokens} input + ${CALL.outputTokens} output tokens, ` +
      `${CALL.latencySeconds} s a call, max_concurrency ${CALL.maxConcurrency}, batches of ${BATCH_SIZE}):`,
  );
  console.log(
    '  limits (RPM / ITPM / OTPM)     sustained  in flight  summarizeConcurrency  requests_per_minute  batch    run      Summarize GB-s',
  );
  for (const tier of TIERS) {
    const p = summarizePlan(items, tier);
    const limits = `${tier.name} ${tier.rpm} / ${tier.itpm} / ${tier.otpm}`.padEnd(30);
    console.log(
      `  ${limits} ${p.perMinute.toFixed(0).padStart(6)}/min ${p.inFlight.toFixed(1).padStart(9)}  ${String(p.lambdas).padStart(20)}  ` +
        `${String(p.perLambda).padStart(19)}  ${p.batchMinutes.toFixed(1).padStart(4)} min ${(p.runMinutes / 60).toFixed(1).padStart(5)} h  ${p.gbSeconds.toFixed(0).padStart(12)}` +
        `  (batch ≤ ${p.maxBatch})`,
    );
  }

  const hierarchy = [Math.round(Math.sqrt(items)), 30, 5].filter(
    (k, i, all) => i === 0 || k < (all[i - 1] ?? 0),
  );
  const dir = await mkdtemp(join(tmpdir(), 'clio-aws-scale-'));
  try {
    await writeSource(dir, items, hierarchy);
    console.log(
      `Steps, each in a fresh process (hierarchy ${hierarchy.join('/')}, ${dim}-d vectors):`,
    );
    const prepare = await inChild('prepare', dir);
    const runId = String(prepare.output.runId);
    const summarize = await inChild('summarize', dir, runId);
    await writeSummaries(dir, runId, items, dim);
    const levels: StepRun[] = [];
    for (const level of hierarchy.keys())
      levels.push(await inChild(`cluster:${level}`, dir, runId));
    const finalize = await inChild('finalize', dir, runId);

    const aws = (s: StepRun) =>
      s.seconds +
      ((s.gets + s.puts) * S3_MS_PER_CALL) / 1000 +
      s.bytes / 2 ** 20 / S3_MB_PER_SECOND;
    console.log(
      `On Lambda, adding S3 (${S3_MS_PER_CALL} ms a call, in sequence, ${S3_MB_PER_SECOND} MB/s), against the 900 s limit:`,
    );
    for (const s of [prepare, summarize, ...levels, finalize])
      console.log(
        `  ${s.step.padEnd(10)} ≈ ${aws(s).toFixed(0).padStart(4)} s  (${(900 / aws(s)).toFixed(1)}× margin; memory ${((s.peakRssMiB / s.memoryMiB) * 100).toFixed(0)}% of ${s.memoryMiB} MiB)`,
      );

    const batchList = await readJson(
      runStore(new FsStore(join(dir, 'artifacts')), runId),
      RUN_KEYS.batchList,
      z.array(z.unknown()),
    );
    const last = levels.at(-1)?.output;
    const finalState = {
      configKey: 'configs/bench.json',
      trigger: `upload#${'0'.repeat(32)}`,
      prepare: prepare.output,
      next: { runId, level: 2 },
      level: last,
      result: finalize.output,
    };
    console.log('Payloads (Step Functions limit 256 KiB):');
    console.log(
      `  Prepare's output ${kib(prepare.output).toFixed(2)} KiB, a Map child's input ${kib(batchList[0]).toFixed(2)} KiB, SummarizeBatch's output ${kib(summarize.output).toFixed(2)} KiB`,
    );
    console.log(
      `  ClusterLevel's output ${kib(last).toFixed(2)} KiB, Finalize's output ${kib(finalize.output).toFixed(2)} KiB, the whole state at the end ${kib(finalState).toFixed(2)} KiB`,
    );
    console.log(
      `  the batch list the ItemReader reads (an S3 object, not state): ${kib(batchList).toFixed(0)} KiB`,
    );

    const batches = batchList.length;
    const plan = summarizePlan(items, TIERS[2] as (typeof TIERS)[number]);
    const gbS = (s: StepRun) => aws(s) * (s.memoryMiB / 1024);
    const heavy = [prepare, ...levels, finalize];
    // Paced LLM calls, then each batch's own work (embedding; here the offline model).
    const summarizeGbS = plan.gbSeconds + batches * gbS(summarize);
    const lambdaGbS = summarizeGbS + heavy.reduce((n, s) => n + gbS(s), 0);
    const s3 = {
      gets: summarize.gets * batches,
      puts: summarize.puts * batches,
      bytes: summarize.bytes * batches,
    };
    for (const s of heavy)
      Object.assign(s3, {
        gets: s3.gets + s.gets,
        puts: s3.puts + s.puts,
        bytes: s3.bytes + s.bytes,
      });
    const transitions = 4 * levels.length + 8 + 3 * batches; // a child: start, its task, a retry
    const dynamoWrites = 20 + hierarchy.reduce((n, k) => n + k, 0) * 2; // run item + index, clusters ≤ 2 KB
    const logsGb = (batches * 6 * 1024) / 2 ** 30; // execution events with data, function logs
    const rows: [string, number][] = [
      [
        `Lambda ${lambdaGbS.toFixed(0)} GB-s (Summarize ${summarizeGbS.toFixed(0)} at the "high" plan) + ${batches + heavy.length} requests`,
        lambdaGbS * PRICE.lambdaGbSecond + (batches + heavy.length) * PRICE.lambdaRequest,
      ],
      [`Step Functions ≈ ${transitions} state transitions`, transitions * PRICE.stateTransition],
      [`S3 ${s3.puts} PUT + ${s3.gets} GET`, s3.puts * PRICE.s3Put + s3.gets * PRICE.s3Get],
      [
        `S3 storage ${(s3.bytes / 2 ** 30).toFixed(2)} GB moved; a month of what stays ≤ that`,
        (s3.bytes / 2 ** 30) * PRICE.s3GbMonth,
      ],
      [`DynamoDB ≈ ${dynamoWrites} write units`, dynamoWrites * PRICE.dynamoWriteUnit],
      [`CloudWatch Logs ≈ ${(logsGb * 1024).toFixed(0)} MB`, logsGb * PRICE.logsGb],
    ];
    console.log(
      `AWS cost of one run of ${items.toLocaleString('en')} items (us-east-1 list prices, LLM not included):`,
    );
    for (const [what, usd] of rows) console.log(`  $${usd.toFixed(4).padStart(8)}  ${what}`);
    console.log(
      `  $${rows
        .reduce((n, [, usd]) => n + usd, 0)
        .toFixed(2)
        .padStart(8)}  total`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--step') {
    const [, step = '', dir = '', runId = ''] = args;
    process.stdout.write(`\n${JSON.stringify(await runStep(step, dir, runId))}\n`);
    process.exit(0);
  }
  const [items, dim] = args.map(Number);
  await runAwsScaleBench(items || undefined, dim || undefined);
}
