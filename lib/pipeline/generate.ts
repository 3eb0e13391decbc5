import { buildHierarchy } from '../cluster/hierarchy.js';
import { writeCentroids } from '../compare/centroids.js';
import { keepPreviousRun, readPreviousRun } from '../compare/previous.js';
import {
  configSourceKind,
  configWarnings,
  type LoadedConfig,
  resolveTimeWindow,
} from '../config/index.js';
import type { Embedder } from '../embed/types.js';
import type { ClaudeBatches } from '../llm/batch.js';
import type { Llm } from '../llm/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { writeOutputs } from '../output/write.js';
import { loadSource } from '../sources/index.js';
import type { Item, LoadedItems } from '../sources/types.js';
import type { RecordCache, Store } from '../store/types.js';
import { ClioError } from '../util/errors.js';
import { assembleRun } from './assemble-run.js';
import { embedTexts } from './embed.js';
import {
  endStatus,
  newRunRecord,
  type RunRecord,
  recordFailures,
  runInfo,
  setSpend,
  writeRunRecord,
} from './run-record.js';
import { sampleItems } from './sample.js';
import { type CachedSummary, summarizeItems, templateGapWarning } from './summarize.js';
import { summarizeItemsInBatch } from './summarize-batch.js';
import type { Failure, ProgressReporter } from './types.js';
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
}

export interface GenerateResult {
  readonly doc: HierarchyDoc;
  readonly record: RunRecord;
  readonly files: string[];
  /** Summaries and embeddings taken from the cache rather than computed. */
  readonly reused: { readonly summaries: number; readonly embeddings: number };
}

/**
 * The whole `generate` job: load, sample, summarize, embed, cluster and name every level,
 * assemble and write. `run.json` is rewritten after each stage, so a crash leaves a record of
 * where it stopped; the caches make the next run resume.
 */
export async function generate(loaded: LoadedConfig, deps: GenerateDeps): Promise<GenerateResult> {
  const { config } = loaded;
  const now = deps.now ?? (() => new Date());
  const progress = deps.progress ?? silentProgress;
  const started = now();
  const record = newRunRecord({
    startedAt: started,
    digest: loaded.digest,
    hierarchy: config.hierarchy,
    partitions: config.partitions,
    llm: deps.llm.id,
    embedder: deps.embedder.id,
  });
  const timings = record.timingsMs;
  // The ledger has every billed response (failed ones too): run.json's usage and cost are its.
  const save = () => {
    setSpend(record, deps.llm.ledger.summary());
    return writeRunRecord(deps.store, record);
  };
  const stage = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
    record.stage = name;
    await save();
    const t0 = performance.now();
    const result = await work();
    timings[name] = Math.round(performance.now() - t0);
    return result;
  };
  const warn = (message: string) => {
    record.warnings.push(message);
    progress.warn(message);
  };
  const fail = (failures: readonly Failure[]) => recordFailures(record, failures);

  try {
    if (configSourceKind(config) === 'project') {
      const window = resolveTimeWindow(config, started);
      record.window = { start: window.start.toISOString(), end: window.end.toISOString() };
    }
    const source = await stage('load', () =>
      (deps.loadItems ?? (() => loadSource(config, { now: started })))(),
    );
    record.source = source.description;
    record.counts.loaded = source.items.length;
    fail(source.problems.map((p) => ({ stage: 'source', id: p.location, reason: p.message })));
    for (const p of source.problems) progress.warn(`${p.location}: ${p.message}`);

    const items: Item[] = sampleItems(source.items, config.sample, config.seed);
    record.counts.sampled = items.length;
    if (items.length === 0) throw new ClioError(`the source has no items (${source.description})`);
    for (const message of configWarnings(config, items.length)) warn(message);
    progress.info(`${items.length} items from ${source.description}`);

    const summarizeOptions = {
      template: config.summary_prompt,
      partitions: config.partitions,
      concurrency: config.max_concurrency,
      progress,
    };
    const batches = deps.summaryBatches;
    const summarized = await stage('summarize', () =>
      batches
        ? summarizeItemsInBatch(
            items,
            { client: batches, cache: deps.summaryCache, store: deps.store },
            summarizeOptions,
          )
        : summarizeItems(items, { llm: deps.llm, cache: deps.summaryCache }, summarizeOptions),
    );
    record.counts.summarized = summarized.summarized.length;
    progress.info(
      `summaries: ${summarized.reused} reused from the cache, ${items.length - summarized.reused - summarized.failures.length} new, ${summarized.failures.length} failed`,
    );
    fail(summarized.failures);
    for (const gap of summarized.templateGaps) warn(templateGapWarning(gap));
    if (summarized.summarized.length === 0) {
      throw new ClioError(
        `no item could be summarized; first failure: ${summarized.failures[0]?.reason ?? 'unknown'}`,
      );
    }

    const texts = summarized.summarized.map((s) => s.summary);
    const embedded = await stage('embed', () => embedTexts(texts, deps.embedder, { progress }));

    progress.info(
      `embeddings: ${embedded.reused} reused from the cache, ${texts.length - embedded.reused} new`,
    );
    const built = await stage('cluster', () =>
      buildHierarchy(summarized.summarized, embedded.vectors, deps, {
        hierarchy: config.hierarchy,
        partitions: config.partitions,
        seed: config.seed,
        concurrency: config.max_concurrency,
        progress,
      }),
    );
    fail(built.failures);
    for (const message of built.warnings) warn(message);
    record.counts.clustered = summarized.summarized.length;

    // The run this one replaces: its clusters lend their keys, and it is kept under previous/.
    const previous = await readPreviousRun(deps.store);
    const assembled = await stage('assemble', async () =>
      assembleRun(summarized.summarized, built.levels, embedded.vectors, record, config, {
        previous: previous?.side,
        embedder: deps.embedder,
      }),
    );
    if (assembled.warning) warn(assembled.warning);
    const doc = { ...assembled.doc, run: runInfo(record) };
    const files = await stage('write', async () => [
      ...(await keepPreviousRun(deps.store, previous)),
      ...(await writeOutputs(doc, summarized.summarized, deps.store)),
      await writeCentroids(deps.store, assembled.centroids),
    ]);
    record.status = 'done';
    record.stage = 'done';
    record.finishedAt = now().toISOString();
    await save();
    return {
      doc,
      record,
      files: ['run.json', ...files],
      reused: { summaries: summarized.reused, embeddings: embedded.reused },
    };
  } catch (error) {
    record.status = endStatus(error);
    record.error = error instanceof Error ? error.message : String(error);
    record.finishedAt = now().toISOString();
    await save();
    throw error;
  }
}
