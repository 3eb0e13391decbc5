import { z } from 'zod';
import type { Level } from '../../cluster/types.js';
import { CENTROIDS_FILE, centroidsOutput } from '../../compare/centroids.js';
import { previousRunFiles, readPreviousRun } from '../../compare/previous.js';
import { embedderIsContextual } from '../../config/index.js';
import { OUTPUT_FILES, outputFiles } from '../../output/write.js';
import { writeTogether } from '../../store/together.js';
import { trendAlert } from '../../trends/alerts.js';
import { historyUpdate, pruneHistory, readHistory } from '../../trends/history.js';
import { ClioError } from '../../util/errors.js';
import { assembleRun } from '../assemble-run.js';
import { readRunRecord, runInfo, takeUnreportedSpend, writeRunRecord } from '../run-record.js';
import { collectSummaries } from './collect.js';
import type { StagedDeps } from './deps.js';
import { configHomeStore, readLevel, storeOfRun } from './layout.js';
import { readRunConfig } from './summarize-batch.js';
import type { FinalizeInput, FinalizeOutput } from './types.js';

export const finalizeInputSchema = z.object({ runId: z.string().min(1) });

/**
 * Finalize: the same assembly and outputs as the CLI (`hierarchy.json`, CSVs) under the run's
 * prefix, the hierarchy to the run index, the run published for the explorer, and marked done.
 */
export async function finalizeRun(input: FinalizeInput, deps: StagedDeps): Promise<FinalizeOutput> {
  const store = storeOfRun(deps, input.runId);
  const config = await readRunConfig(store);
  const record = await readRunRecord(store);
  if (!record) throw new ClioError(`run ${input.runId} has no run record`);
  const run = await collectSummaries(store, record.counts.sampled);
  const levels: Level[] = [];
  for (let index = 0; index < config.hierarchy.length; index++)
    levels.push(await readLevel(store, index));

  // The run this one follows: in the same folder locally (a save_path), in the config's home on
  // AWS, where each run has a prefix of its own. Its clusters lend their keys; it is kept under
  // previous/ locally, and both go to the history that `trends` reads.
  const home = record.configKey ? configHomeStore(deps.artifacts, record.configKey) : store;
  const apart = home.location !== store.location;
  const previous = await readPreviousRun(home);
  const { doc, centroids } = assembleRun(run.items, levels, run.vectors, record, config, {
    previous: previous?.side,
    embedder: { contextual: embedderIsContextual(config) },
  });
  record.status = 'done';
  record.stage = 'done';
  record.finishedAt = (deps.now?.() ?? new Date()).toISOString();
  const finished = { ...doc, run: runInfo(record) };
  const history = await historyUpdate(home, [previous?.side.doc, finished], config.history);
  const runOutputs = [...outputFiles(finished, run.items), centroidsOutput(centroids)];
  const outputs = apart ? runOutputs : [...previousRunFiles(previous), ...runOutputs];
  // Written in the same step as the new outputs replace the old ones (one folder locally).
  await writeTogether(store, apart ? outputs : [...outputs, ...history.files]);
  if (apart) {
    // The latest run's hierarchy and centroids, for the next run's keys, then the history.
    const latest = runOutputs.filter(
      ([key]) => key === OUTPUT_FILES.hierarchy || key === CENTROIDS_FILE,
    );
    await writeTogether(home, [...latest, ...history.files]);
  }
  await pruneHistory(home, history.pruned);
  const files = outputs.map(([key]) => key);
  await deps.runIndex?.putHierarchy(finished);
  const kept = deps.publish || deps.trendAlerts ? (await readHistory(home)).runs : [];
  await deps.publish?.(finished, kept);
  const alert = deps.trendAlerts && trendAlert(kept, finished, deps.trendAlerts.thresholds);
  // Told after the run is published, so the alert's links open.
  if (alert) await deps.trendAlerts?.send(alert, { configKey: record.configKey });
  const newSpend = takeUnreportedSpend(record);
  // Done only once everything is out: a run whose publishing failed is not reported done.
  await writeRunRecord(store, record);
  await deps.runIndex?.putRun(record);
  return {
    runId: input.runId,
    outputKeys: files.map((f) => `runs/${input.runId}/${f}`),
    items: finished.items.length,
    failedItems: record.counts.failed,
    failedBatches: run.failedBatches,
    inputTokens: record.usage.inputTokens,
    outputTokens: record.usage.outputTokens,
    costUsd: record.costUsd,
    newSpend,
  };
}
