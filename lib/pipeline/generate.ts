import { z } from 'zod';
import type { LoadedConfig } from '../config/index.js';
import type { Embedder } from '../embed/types.js';
import type { ClaudeBatches } from '../llm/batch.js';
import type { Llm } from '../llm/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { hierarchySchema } from '../output/hierarchy-schema.js';
import { readSource } from '../sources/file/index.js';
import type { LoadedItems } from '../sources/types.js';
import type { RecordCache, Store } from '../store/types.js';
import { fencedStore, RunInterruptedError, signalOf, whenAborted } from './interrupted.js';
import { type RunRecord, readRunRecord, writeRunRecord } from './run-record.js';
import {
  clusterLevel,
  finalizeRun,
  markFailed,
  prepareConfiguredRun,
  type StagedDeps,
  summarizeBatch,
} from './staged/index.js';
import { RUN_KEYS, readJson } from './staged/layout.js';
import type { CachedSummary } from './summarize.js';
import type { ProgressReporter } from './types.js';
import { silentProgress } from './types.js';

export interface GenerateDeps {
  readonly llm: Llm;
  /** Message Batches for the summaries (`llm.batch`): half the price, results in hours. */
  readonly summaryBatches?: ClaudeBatches | undefined;
  /** Wrap it in a `CachedEmbedder` so re-runs reuse vectors. */
  readonly embedder: Embedder;
  readonly store: Store;
  readonly summaryCache: RecordCache<CachedSummary>;
  readonly progress?: ProgressReporter;
  readonly now?: () => Date;
  /** Replaces the configured source, e.g. for tests or a runner that already holds the items. */
  readonly loadItems?: () => Promise<LoadedItems>;
  /**
   * Ends the run early (Ctrl-C): it stops where it is, records `interrupted` with the stage in
   * `run.json`, and throws `RunInterruptedError`; the caller then closes the caches it gave.
   */
  readonly signal?: AbortSignal;
}

export interface GenerateResult {
  readonly doc: HierarchyDoc;
  readonly record: RunRecord;
  readonly files: string[];
  /** Summaries and embeddings taken from the cache rather than computed. */
  readonly reused: { readonly summaries: number; readonly embeddings: number };
}

/**
 * Items per Summarize step in one process: large, since batches only bound what one step holds
 * in memory here (the summary cache is per item, so a restarted run still resumes per item).
 */
const LOCAL_BATCH_SIZE = 5000;

/** The caller's embedder, shared by the steps, which may not close it: the caller does. */
function keptEmbedder(embedder: Embedder): Embedder {
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    contextual: embedder.contextual,
    get cacheStats() {
      return embedder.cacheStats;
    },
    embed: (texts, onProgress) => embedder.embed(texts, onProgress),
    warmup: () => embedder.warmup?.() ?? Promise.resolve(),
    close: async () => {},
  };
}

/** The caller's summary cache, likewise. */
function keptCache<T>(cache: RecordCache<T>): RecordCache<T> {
  return {
    get: (key) => cache.get(key),
    set: (key, value) => cache.set(key, value),
    get size() {
      return cache.size;
    },
    close: async () => {},
  };
}

/**
 * `generate`: the in-process executor of the run's steps (the same steps the Lambdas run):
 * prepare → summarize each batch → cluster level 0..n → finalize, over the local store under
 * `save_path`, one step after another. Each step gets a view of the provider with a ledger of
 * its own (its bill, written beside its results) that shares the run's budget; on an error the
 * run is marked failed (or stopped, for a spent budget) as the state machine's Catch does.
 */
export async function generate(loaded: LoadedConfig, deps: GenerateDeps): Promise<GenerateResult> {
  const { config } = loaded;
  const live = liveStage(deps.progress ?? silentProgress);
  const progress = live.progress;
  const runLedger = deps.llm.ledger;
  const embedder = keptEmbedder(deps.embedder);
  const hitsBefore = deps.embedder.cacheStats?.hits ?? 0;
  const { signal } = deps;
  const store = signal ? fencedStore(deps.store, signal) : deps.store;
  // Each step is raced against the signal: an interrupt need not wait for a stage to end.
  const aborted = signal ? whenAborted(signal) : undefined;
  aborted?.catch(() => {});
  const step = <T>(work: Promise<T>): Promise<T> =>
    aborted ? Promise.race([work, aborted]) : work;
  // Known once Prepare has written the record: what an interrupt marks.
  let runId: string | undefined;
  let prepared = false;
  const steps: StagedDeps = {
    artifacts: store,
    configs: store,
    runStore: () => store,
    createEmbedder: () => embedder,
    createLlm: () => deps.llm.withLedger?.(runLedger.child()) ?? deps.llm,
    createSummaryBatches: (_config, llm) => deps.summaryBatches?.withLedger(llm.ledger),
    openSummaryCache: async () => keptCache(deps.summaryCache),
    readSourceFile: readSource,
    ...(deps.loadItems ? { loadItems: deps.loadItems } : {}),
    embedIn: 'cluster',
    progress,
    batchSize: LOCAL_BATCH_SIZE,
    ...(deps.now ? { now: deps.now } : {}),
    runCreated: async (id) => {
      runId = id;
    },
  };

  // A first run embeds everything: the model loads while the data is read and summarized
  // instead of after (about a second of a small run). Later runs find most vectors cached.
  if (deps.summaryCache.size === 0) deps.embedder.warmup?.().catch(() => {});
  try {
    const run = await step(prepareConfiguredRun(config, steps, { digest: loaded.digest }));
    prepared = true;
    const batches = await readJson(
      deps.store,
      RUN_KEYS.batchList,
      z.array(z.object({ runId: z.string(), batchKey: z.string() })),
    );
    let reused = 0;
    for (const batch of batches) reused += (await step(summarizeBatch(batch, steps))).reused;
    for (let level = 0; level < run.levelCount; level++) {
      await step(clusterLevel({ runId: run.runId, level }, steps));
    }
    const finished = await step(finalizeRun({ runId: run.runId }, steps));
    const text = await deps.store.read('hierarchy.json');
    const doc = hierarchySchema.parse(JSON.parse(text ?? '{}'));
    const record = await readRunRecord(deps.store);
    if (!record) throw new Error(`run ${run.runId} has no run record`);
    const prefix = `runs/${run.runId}/`;
    return {
      doc,
      record,
      files: ['run.json', ...finished.outputKeys.map((key) => key.replace(prefix, ''))],
      reused: {
        summaries: reused,
        embeddings: (deps.embedder.cacheStats?.hits ?? 0) - hitsBefore,
      },
    };
  } catch (error) {
    if (signal?.aborted) throw await recordInterruption(deps.store, runId, signal, live.stage());
    // Prepare records its own failures in the run it made.
    if (!prepared || !runId) throw error;
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    await markFailed(
      {
        runId,
        error: { Error: name, Cause: JSON.stringify({ errorType: name, errorMessage: message }) },
      },
      steps,
    );
    throw error;
  }
}

/** The progress reporter, noting the stage it was last told of: where an interrupt found the run. */
function liveStage(inner: ProgressReporter): { progress: ProgressReporter; stage: () => string } {
  let stage = 'load';
  return {
    progress: {
      ...inner,
      start(name, total) {
        stage = name;
        inner.start(name, total);
      },
      tick: (done) => inner.tick(done),
      finish: () => inner.finish(),
    },
    stage: () => stage,
  };
}

/**
 * Marks the run interrupted at `stage` (through the unfenced store: the steps' writes are refused
 * by now) and returns the error to end the command with. A run that got to `done` first keeps it.
 */
async function recordInterruption(
  store: Store,
  runId: string | undefined,
  signal: AbortSignal,
  stage: string,
): Promise<RunInterruptedError> {
  const interrupted = new RunInterruptedError(signalOf(signal), stage);
  const record = runId ? await readRunRecord(store) : undefined;
  if (record?.runId === runId && record?.status === 'running') {
    record.status = 'interrupted';
    record.stage = stage;
    record.error = interrupted.message;
    record.finishedAt = new Date().toISOString();
    await writeRunRecord(store, record);
  }
  return interrupted;
}
