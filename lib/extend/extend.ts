import {
  centroidsFile,
  centroidsOutput,
  clusterCentroids,
  vectorSpace,
  withheldHash,
} from '../compare/centroids.js';
import { withDerivedKeys } from '../compare/keys.js';
import { previousRunFiles, readCurrentRun } from '../compare/previous.js';
import { configSourceKind, type LoadedConfig, resolveTimeWindow } from '../config/index.js';
import { itemFacets } from '../facets/builtin.js';
import { askedQuestionFacets, skippedQuestionFacets } from '../facets/questions.js';
import type { Extension, HierarchyDoc } from '../output/hierarchy-schema.js';
import { outputFiles } from '../output/write.js';
import { embedTexts } from '../pipeline/embed.js';
import type { GenerateDeps } from '../pipeline/generate.js';
import { unfinishedAttemptNote } from '../pipeline/latest-attempt.js';
import { reportWarnings } from '../pipeline/reporting.js';
import {
  RUN_RECORD,
  type RunRecord,
  readRunRecord,
  runInfo,
  runRecordText,
} from '../pipeline/run-record.js';
import { sampleItems } from '../pipeline/sample.js';
import { summarizeItems } from '../pipeline/summarize.js';
import { silentProgress } from '../pipeline/types.js';
import { loadSource } from '../sources/index.js';
import { writeTogether } from '../store/together.js';
import { historyUpdate, pruneHistory } from '../trends/history.js';
import { recordExtension, recordOf } from './history.js';
import { itemsForOutputs } from './originals.js';
import { baseFits, failedSummaries, type Placement, placeItems } from './place.js';
import { addPlacedItems, type PlacedItem } from './update.js';

/** The same dependencies as `generate` (the embedder in a `CachedEmbedder`), batches aside. */
export type ExtendDeps = Omit<GenerateDeps, 'summaryBatches'>;

export interface ExtendOptions {
  /**
   * A new item fits poorly when less similar to its nearest cluster than Q1 − fence × IQR of that
   * cluster's own members' similarities (default 1.5, Tukey's outlier rule).
   */
  readonly fence?: number;
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
 * hierarchy without rebuilding it. New items are summarized (same cache as `generate`),
 * embedded, and placed at the nearest base cluster of their partition, confirmed by the model
 * when it is generative. Poor fits stay out and are reported, so a run that has drifted says it
 * needs regenerating instead of quietly bending its clusters. Old items keep their paths.
 */
export async function extendRun(
  loaded: LoadedConfig,
  deps: ExtendDeps,
  options: ExtendOptions = {},
): Promise<ExtendResult> {
  const { config } = loaded;
  const fence = options.fence ?? 1.5;
  const progress = deps.progress ?? silentProgress;
  const started = (deps.now ?? (() => new Date()))();
  const current = await readCurrentRun(deps.store);
  const { doc } = current.side;
  const record = recordOf(await readRunRecord(deps.store), doc);
  const warnings: string[] = [];
  const warn = (messages: readonly string[], kind: string) => {
    warnings.push(...messages);
    reportWarnings(progress, messages, { kind, where: 'the output of `open-clio extend --json`' });
  };

  const window =
    configSourceKind(config) === 'project' ? resolveTimeWindow(config, started) : undefined;
  const source = await (deps.loadItems ?? (() => loadSource(config, { now: started })))();
  warn(
    source.problems.map((p) => `${p.location}: ${p.message}`),
    'problems with the source',
  );
  warn(source.warnings ?? [], 'warnings about the source');
  const unfinished = await unfinishedAttemptNote(deps.store, 'extending');
  warn(unfinished ? [unfinished] : [], 'notes about the run');
  warn(driftWarnings(loaded, deps, doc, current.withheld), 'warnings about the run');
  const known = new Set(doc.items.map((item) => item.id));
  const withheld = new Set(current.withheld ?? []);
  const fresh = source.items.filter((i) => !known.has(i.id) && !withheld.has(withheldHash(i.id)));
  // `sample` caps what one extension pays for, as it caps a run.
  const candidates = sampleItems(fresh, config.sample, config.seed);
  progress.info(
    `${candidates.length} new items from ${source.description}; the run holds ${known.size}`,
  );
  if (candidates.length === 0) {
    return { doc, record, extension: null, placements: [], files: [], warnings };
  }

  // The same summary call as generate's, question facets and all, so its cache serves both.
  const skippedFacets = skippedQuestionFacets(config.facets, deps.llm);
  warn(skippedFacets ? [skippedFacets] : [], 'warnings about the config');
  const summarized = await summarizeItems(
    candidates,
    { llm: deps.llm, cache: deps.summaryCache },
    {
      template: config.summary_prompt,
      partitions: config.partitions,
      facets: askedQuestionFacets(config.facets, deps.llm),
      concurrency: config.max_concurrency,
      progress,
    },
  );
  warn(summarized.warnings, 'warnings about the summaries');
  const facetsOf = await itemFacets();
  const newItems = summarized.summarized.map((s) => ({ ...s, facets: facetsOf(s.item, s.facets) }));
  // One call for old and new: a contextual embedder (TF-IDF) then puts both in one space.
  const texts = [...doc.items.map((i) => i.summary), ...newItems.map((s) => s.summary)];
  const { vectors } = await embedTexts(texts, deps.embedder, { progress });
  const oldVectors = vectors.slice(0, doc.items.length);
  const newVectors = vectors.slice(doc.items.length);

  progress.start('place', newItems.length);
  const placed = await placeItems(newItems, newVectors, baseFits(doc, oldVectors, fence), {
    llm: deps.llm,
    concurrency: config.max_concurrency,
    candidates: options.candidates ?? 3,
  });
  progress.finish();
  const placements = [...placed.placements, ...failedSummaries(summarized.failures)];
  const accepted: PlacedItem[] = placed.placements.flatMap((p, i) =>
    p.status === 'placed' && p.cluster !== null
      ? [
          {
            entry: newItems[i] as PlacedItem['entry'],
            vector: newVectors[i] as Float32Array,
            base: p.cluster,
          },
        ]
      : [],
  );

  const extension = recordExtension(record, {
    at: started,
    source: source.description,
    window,
    llm: deps.llm,
    embedder: deps.embedder.id,
    fence,
    candidates: candidates.length,
    placements,
  });
  const number = record.extensions?.length ?? 1;
  const extended = addPlacedItems(withDerivedKeys(doc), oldVectors, accepted, number);
  const finished = { ...extended, run: runInfo(record) };

  const vectorById = new Map(doc.items.map((item, i) => [item.id, oldVectors[i]]));
  for (const a of accepted) vectorById.set(a.entry.item.id, a.vector);
  const centroids = {
    space: vectorSpace(
      deps.embedder.id,
      `${doc.run.runId}+${number}`,
      deps.embedder.contextual === true,
    ),
    byCluster: clusterCentroids(finished, (id) => vectorById.get(id)),
  };
  const outputs = await itemsForOutputs(finished, source.items, deps.store);
  // The old run to previous/, the new outputs, the report, run.json and the history (where the
  // extended run replaces its earlier self): all or none of them.
  const history = await historyUpdate(deps.store, [finished], config.history);
  const written = [
    ...previousRunFiles(current),
    ...outputFiles(finished, outputs),
    centroidsOutput(centroidsFile(finished, centroids, current.withheld ?? [])),
    [extension.report, `${JSON.stringify({ extension, placements }, null, 2)}\n`] as const,
    [RUN_RECORD, runRecordText(record)] as const,
    ...history.files,
  ];
  await writeTogether(deps.store, written);
  await pruneHistory(deps.store, history.pruned);
  const files = written.map(([key]) => key);
  return { doc: finished, record, extension, placements, files, warnings };
}

/** What differs between the run and this extension, and so may make new items fit worse. */
function driftWarnings(
  loaded: LoadedConfig,
  deps: ExtendDeps,
  doc: HierarchyDoc,
  withheld: readonly string[] | undefined,
): string[] {
  const warnings: string[] = [];
  if (loaded.digest !== doc.run.configDigest) {
    warnings.push(
      'the config has changed since the run was generated; new items are summarized with the current one',
    );
  }
  if (deps.llm.id !== doc.run.llm) {
    warnings.push(`the run's summaries came from ${doc.run.llm}, new ones from ${deps.llm.id}`);
  }
  if (!withheld && doc.run.counts.withheld > 0) {
    warnings.push(
      `the run withheld ${doc.run.counts.withheld} items but predates the record of which; any the source still yields count as new`,
    );
  }
  return warnings;
}
