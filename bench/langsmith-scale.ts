/**
 * Prepare on a big tracing window: a generated LangSmith project (the loopback stand-in, N
 * threads of 1–3 runs of about 3 KB, paged in the SDK's wire format with a latency a page) read
 * by Prepare in a fresh Node with its heap capped at the Prepare Lambda's memory, once the
 * streamed way (parallel sub-windows, runs spilled to the run store in thread shards) and once
 * the old way (one page after another, the window held and grouped in memory), side by side:
 * wall time, peak RSS and peak heap.
 *
 *   npm run bench -- langsmith-scale [--threads=100000] [--latency=100] [--old-threads=N]
 *                                    [--heap=MiB]
 *
 * V8 lets garbage pile up to the cap before it collects, so peak heap at the Lambda's cap says
 * little about what a path needs; `--heap` caps it lower (e.g. 512) to show which path fits.
 * The old way pages sequentially, so at the default latency it takes minutes at 100k: it runs
 * at `--old-threads` (default: all of them) and the table says at how many.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'langsmith';
import { parseConfig } from '../lib/config/index.js';
import { STEPS } from '../lib/infra/functions.js';
import { OfflineLlm } from '../lib/llm/offline.js';
import { prepareConfiguredRun, type StagedDeps } from '../lib/pipeline/staged/index.js';
import { loadThreadsSource } from '../lib/sources/langsmith/index.js';
import { FsStore } from '../lib/store/fs-store.js';
import { FakeLangSmith } from '../test/fakes/langsmith-server.js';
import { wordEmbedder } from '../test/helpers/scripted-llm.js';

const KEY = 'bench-key-not-real';
const WINDOW = { start: '2025-07-19T00:00:00.000Z', end: '2025-07-20T00:00:00.000Z' };
const PROJECT = 'bench-chat';
type Mode = 'streamed' | 'in-memory';

interface Measured {
  readonly mode: Mode;
  readonly threads: number;
  readonly seconds: number;
  readonly peakRssMiB: number;
  readonly peakHeapMiB: number;
  readonly items: number;
  readonly batches: number;
  readonly failed?: string;
}

/** The child's side: Prepare once, sampling the heap as it goes. */
async function prepareOnce(
  mode: Mode,
  url: string,
  dir: string,
): Promise<Omit<Measured, 'threads'>> {
  let peakHeap = 0;
  const sampler = setInterval(() => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, 20);
  const client = new Client({ apiUrl: url, apiKey: KEY });
  const window = { start: new Date(WINDOW.start), end: new Date(WINDOW.end) };
  const deps: StagedDeps = {
    artifacts: new FsStore(join(dir, 'artifacts')),
    configs: new FsStore(join(dir, 'configs')),
    createEmbedder: () => wordEmbedder,
    createLlm: (_config, embedder) => new OfflineLlm({ embedder }),
    langsmith: client,
    // The old way: one page after another, every run held, grouped at once.
    ...(mode === 'in-memory'
      ? {
          loadItems: () =>
            loadThreadsSource({ projectName: PROJECT, window, client, paging: { subWindows: 1 } }),
        }
      : {}),
  };
  const config = parseConfig(
    {
      project_name: PROJECT,
      start_time: WINDOW.start,
      end_time: WINDOW.end,
      hierarchy: [300, 30],
      summary_prompt: 'Summarize: {{run.inputs}}',
      partitions: null,
    },
    { file: 'bench.json', dir: '/' },
  );
  const started = performance.now();
  const prepared = await prepareConfiguredRun(config, deps);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  return {
    mode,
    seconds,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakHeapMiB: peakHeap / 2 ** 20,
    items: prepared.itemCount,
    batches: prepared.batchCount,
  };
}

/** Prepare in a fresh Node with the heap capped at the Prepare Lambda's memory. */
async function inChild(
  mode: Mode,
  threads: number,
  latencyMs: number,
  heapMiB: number,
): Promise<Measured> {
  const fake = await FakeLangSmith.start({ apiKey: KEY, queryLatencyMs: latencyMs });
  fake.addGeneratedProject(PROJECT, { threads, ...WINDOW, runBytes: 3000 });
  const dir = await mkdtemp(join(tmpdir(), 'clio-ls-scale-'));
  const node = [`--max-old-space-size=${heapMiB}`, '--import', 'tsx'];
  const args = [...node, fileURLToPath(import.meta.url), '--child', mode, fake.url, dir];
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { maxBuffer: 2 ** 26 });
    return { threads, ...JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') };
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? error);
    const line = stderr.split('\n').find((l) => /Error|heap/i.test(l)) ?? stderr.slice(0, 200);
    const nothing = { seconds: 0, peakRssMiB: 0, peakHeapMiB: 0, items: 0, batches: 0 };
    return { mode, threads, ...nothing, failed: line.trim() };
  } finally {
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const flag = (name: string): number | undefined => {
  const value = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  return value === undefined ? undefined : Number(value);
};

export async function runLangSmithScaleBench(): Promise<Measured[]> {
  const threads = flag('threads') ?? 100_000;
  const latencyMs = flag('latency') ?? 100;
  const oldThreads = flag('old-threads') ?? threads;
  const heapMiB = flag('heap') ?? STEPS.prepare.memoryMiB;
  console.log(
    `\n== Prepare on a LangSmith window: ${threads.toLocaleString('en')} threads of 1–3 runs ` +
      `(~3 KB a run), ${latencyMs} ms a page, heap capped at ${heapMiB} MiB ==`,
  );
  const results = [
    await inChild('streamed', threads, latencyMs, heapMiB),
    await inChild('in-memory', oldThreads, latencyMs, heapMiB),
  ];
  console.log('  path        threads    wall s   peak RSS MiB   peak heap MiB   items   batches');
  for (const r of results) {
    const figures = r.failed
      ? `failed: ${r.failed}`
      : `${r.seconds.toFixed(1).padStart(8)}   ${r.peakRssMiB.toFixed(0).padStart(12)}   ${r.peakHeapMiB.toFixed(0).padStart(13)}   ${String(r.items).padStart(5)}   ${String(r.batches).padStart(7)}`;
    console.log(`  ${r.mode.padEnd(10)}  ${String(r.threads).padStart(7)}  ${figures}`);
  }
  if (oldThreads !== threads)
    console.log(`  (the in-memory path ran at ${oldThreads} threads: see --old-threads)`);
  return results;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const [, mode = 'streamed', url = '', dir = ''] = args;
    process.stdout.write(`\n${JSON.stringify(await prepareOnce(mode as Mode, url, dir))}\n`);
    process.exit(0);
  }
  await runLangSmithScaleBench();
}
