import {
  centroidsFile,
  clusterCentroids,
  vectorSpace,
  withheldHash,
  writeCentroids,
} from '../compare/centroids.js';
import { withDerivedKeys } from '../compare/keys.js';
import { keepPreviousRun, readCurrentRun } from '../compare/previous.js';
import { configSourceKind, type LoadedConfig, resolveTimeWindow } from '../config/index.js';
import type { Embedder } from '../embed/types.js';
import { addUsage, type Llm } from '../llm/types.js';
import type { Extension, HierarchyDoc } from '../output/hierarchy-schema.js';
import { writeOutputs } from '../output/write.js';
import { embedTexts } from '../pipeline/embed.js';
import {
  type RunRecord,
  readRunRecord,
  recordCost,
  runInfo,
  writeRunRecord,
} from '../pipeline/run-record.js';
import { sampleItems } from '../pipeline/sample.js';
import { type CachedSummary, summarizeItems, templateGapWarning } from '../pipeline/summarize.js';
import { type ProgressReporter, silentProgress } from '../pipeline/types.js';
import { loadSource } from '../sources/index.js';
import type { LoadedItems } from '../sources/types.js';
import type { RecordCache, Store } from '../store/types.js';
import { itemsForOutputs } from './originals.js';
import { baseFits, type Placement, placeItems } from './place.js';
import { addPlacedItems } from './update.js';

export const EXTENSIONS_DIR = 'extensions';

export interface ExtendDeps {
  readonly llm: Llm;
  /** The run's embedder, in a `CachedEmbedder`: the old summaries are then mostly cache hits. */
  readonly embedder: Embedder;
  readonly store: Store;
  readonly summaryCache: RecordCache<CachedSummary>;
  readonly progress?: ProgressReporter;
  readonly now?: () => Date;
  /** Replaces the configured source, as in `generate`. */
  readonly loadItems?: () => Promise<LoadedItems>;
}

export interface ExtendOptions {
  /** New items below this percentile of a cluster's own members' similarities fit poorly (default 5). */
  readonly percentile?: number;
  /** Nearest clusters a generative model chooses among (default 3). */
  readonly candidates?: number;
}

export interface ExtendResult {
  readonly doc: HierarchyDoc;
  readonly record: RunRecord;
  /** The history entry, or null when the source held nothing new (then nothing was written). */
  readonly extension: Extension | null;
  /** Every candidate item's outcome. */
  readonly placements: Placement[];
  readonly files: string[];
  readonly warnings: string[];
}

/**
 * `extend`: files the items the source yields that the run does not hold yet into the existing
 * hierarchy, without rebuilding it. New items are summarized (same cache as `generate`),
 * embedded, and placed at the nearest base cluster of their partition (confirmed by the model
 * when it is generative); poor fits stay out and are reported, so a run that has drifted says
 * it needs regenerating instead of quietly bending its clusters. Old items keep their paths.
 */
export async function extendRun(
  loaded: LoadedConfig,
  deps: ExtendDeps,
  options: ExtendOptions = {},
): Promise<ExtendResult> {
  const { config } = loaded;
  const percentile = options.percentile ?? 5;
  const progress = deps.progress ?? silentProgress;
  const started = (deps.now ?? (() => new Date()))();
  const current = await readCurrentRun(deps.store);
  const { doc } = current.side;
  const stored = await readRunRecord(deps.store);
  // run.json may describe a later run that failed; the hierarchy's own run info is the truth then.
  const record: RunRecord =
    stored?.runId === doc.run.runId
      ? stored
      : {
          ...structuredClone(doc.run),
          status: 'done',
          stage: 'done',
          finishedAt: null,
          error: null,
        };
  const warnings: string[] = [];
  const warn = (message: string) => {
    warnings.push(message);
    progress.warn(message);
  };

  const window =
    configSourceKind(config) === 'project' ? resolveTimeWindow(config, started) : undefined;
  const source = await (deps.loadItems ?? (() => loadSource(config, { now: started })))();
  for (const p of source.problems) warn(`${p.location}: ${p.message}`);
  const known = new Set(doc.items.map((item) => item.id));
  const withheld = new Set(current.withheld ?? []);
  if (!current.withheld && doc.run.counts.withheld > 0) {
    warn(
      `the run withheld ${doc.run.counts.withheld} items but predates the record of which; they count as new here`,
    );
  }
  const fresh = source.items.filter((i) => !known.has(i.id) && !withheld.has(withheldHash(i.id)));
  const candidates = sampleItems(fresh, config.sample, config.seed);
  progress.info(
    `${candidates.length} new items from ${source.description} (${known.size} already in the run)`,
  );
  if (candidates.length === 0) {
    return { doc, record, extension: null, placements: [], files: [], warnings };
  }

  const summarized = await summarizeItems(
    candidates,
    { llm: deps.llm, cache: deps.summaryCache },
    {
      template: config.summary_prompt,
      partitions: config.partitions,
      concurrency: config.max_concurrency,
      progress,
    },
  );
  for (const gap of summarized.templateGaps) warn(templateGapWarning(gap));
  const texts = [
    ...doc.items.map((i) => i.summary),
    ...summarized.summarized.map((s) => s.summary),
  ];
  // One call for old and new: a contextual embedder (TF-IDF) then puts both in one space.
  const embedded = await embedTexts(texts, deps.embedder, { progress });
  const oldVectors = embedded.vectors.slice(0, doc.items.length);
  const newVectors = embedded.vectors.slice(doc.items.length);

  progress.start('place', summarized.summarized.length);
  const placed = await placeItems(
    summarized.summarized,
    newVectors,
    baseFits(doc, oldVectors, percentile),
    { llm: deps.llm, concurrency: config.max_concurrency, candidates: options.candidates ?? 3 },
  );
  progress.finish();
  const placements: Placement[] = [
    ...placed.placements,
    ...summarized.failures.map((f) => ({
      id: f.id,
      status: 'failed' as const,
      partition: null,
      summary: null,
      cluster: null,
      nearest: null,
      similarity: null,
      threshold: null,
      reason: `summarizing failed: ${f.reason}`,
    })),
  ];

  const number = (record.extensions?.length ?? 0) + 1;
  const accepted = placed.placements.flatMap((p, i) =>
    p.status === 'placed' && p.cluster !== null
      ? [
          {
            entry: summarized.summarized[i] as (typeof summarized.summarized)[number],
            vector: newVectors[i] as Float32Array,
            base: p.cluster,
          },
        ]
      : [],
  );
  const extended = addPlacedItems(withDerivedKeys(doc), oldVectors, accepted, number);

  const count = (status: Placement['status']) =>
    placements.filter((p) => p.status === status).length;
  const usage = addUsage(summarized.usage, placed.usage);
  const costs = [
    deps.llm.costOf?.(summarized.usage, 'summarize'),
    deps.llm.costOf?.(placed.usage, 'judge'),
  ];
  const costUsd = costs.every((c) => c !== undefined)
    ? (costs.reduce((a, b) => (a ?? 0) + (b ?? 0), 0) ?? 0)
    : 0;
  const report = `${EXTENSIONS_DIR}/${number}.json`;
  const extension: Extension = {
    at: started.toISOString(),
    source: source.description,
    window: window ? { start: window.start.toISOString(), end: window.end.toISOString() } : null,
    llm: deps.llm.id,
    embedder: deps.embedder.id,
    confirmedByModel: deps.llm.generative,
    percentile,
    counts: {
      candidates: candidates.length,
      placed: count('placed'),
      poorFit: count('poor-fit'),
      rejected: count('rejected'),
      failed: count('failed'),
    },
    usage,
    costUsd,
    report,
  };
  record.extensions = [...(record.extensions ?? []), extension];
  record.counts.clustered += extension.counts.placed;
  record.usage = addUsage(record.usage, usage);
  if (costs.every((c) => c !== undefined)) recordCost(record, 'extend', costUsd);
  const finished = { ...extended, run: runInfo(record) };

  const vectorById = new Map<string, Float32Array>();
  doc.items.forEach((item, i) => vectorById.set(item.id, oldVectors[i] as Float32Array));
  for (const a of accepted) vectorById.set(a.entry.item.id, a.vector);
  const centroids = {
    space: vectorSpace(deps.embedder.id, `${doc.run.runId}+${number}`, deps.embedder.contextual),
    byCluster: clusterCentroids(finished, (id) => vectorById.get(id)),
  };

  const outputs = await itemsForOutputs(finished, source.items, deps.store);
  const files = [
    ...(await keepPreviousRun(deps.store, current)),
    ...(await writeOutputs(finished, outputs, deps.store)),
    await writeCentroids(deps.store, centroidsFile(finished, centroids, current.withheld ?? [])),
  ];
  await deps.store.write(report, `${JSON.stringify({ extension, placements }, null, 2)}\n`);
  await writeRunRecord(deps.store, record);
  files.push(report, 'run.json');
  return { doc: finished, record, extension, placements, files, warnings };
}
