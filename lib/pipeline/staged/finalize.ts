import { z } from 'zod';
import type { Level } from '../../cluster/types.js';
import { centroidsOutput } from '../../compare/centroids.js';
import { previousRunFiles, readPreviousRun } from '../../compare/previous.js';
import { embedderIsContextual } from '../../config/index.js';
import { outputFiles } from '../../output/write.js';
import { writeTogether } from '../../store/together.js';
import { historyUpdate, pruneHistory } from '../../trends/history.js';
import { ClioError } from '../../util/errors.js';
import { assembleRun } from '../assemble-run.js';
import { readRunRecord, runInfo, writeRunRecord } from '../run-record.js';
import { collectSummaries } from './collect.js';
import type { StagedDeps } from './deps.js';
import { readLevel, storeOfRun } from './layout.js';
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

  // The run this one replaces in the same store (a local save_path; never on AWS, where each
  // run has its own prefix): its clusters lend their keys, and it is kept under previous/.
  const previous = await readPreviousRun(store);
  const { doc, centroids } = assembleRun(run.items, levels, run.vectors, record, config, {
    previous: previous?.side,
    embedder: { contextual: embedderIsContextual(config) },
  });
  record.status = 'done';
  record.stage = 'done';
  record.finishedAt = (deps.now?.() ?? new Date()).toISOString();
  const finished = { ...doc, run: runInfo(record) };
  // The replaced run goes to previous/, and both to the history, in the same step as the new
  // outputs replace it.
  const history = await historyUpdate(store, [previous?.side.doc, finished], config.history);
  const outputs = [
    ...previousRunFiles(previous),
    ...outputFiles(finished, run.items),
    centroidsOutput(centroids),
    ...history.files,
  ];
  await writeTogether(store, outputs);
  await pruneHistory(store, history.pruned);
  const files = outputs.map(([key]) => key);
  await deps.runIndex?.putHierarchy(finished);
  await deps.publish?.(finished);
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
  };
}
