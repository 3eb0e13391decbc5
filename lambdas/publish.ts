import type { HierarchyDoc, RunInfo } from '../lib/output/hierarchy-schema.js';
import type { ListRunsOptions, StoredRun } from '../lib/store/dynamo-hierarchy.js';
import type { Store } from '../lib/store/types.js';
import type { RunSummary } from '../lib/trends/history.js';
import { VIZ_FORMAT, type VizRunEntry, type VizRuns, vizPaths } from '../lib/viz/format.js';
import { prepareVizData, vizFile, vizFilePaths } from '../lib/viz/prepare.js';
import { trendsOfHistory } from '../lib/viz/trends.js';

/** Runs listed in the index; older ones stay in the table and the artifacts bucket. */
export const RUNS_INDEX_LIMIT = 200;

export interface PublishDeps {
  /** The site bucket under `data/`, where the explorer fetches from. */
  readonly site: Store;
  readonly runs: { listRuns(options: ListRunsOptions): Promise<StoredRun[]> };
  /** The kept runs of the run's config, oldest first, for the explorer's Trends view. */
  readonly history?: readonly RunSummary[];
}

/** A run in the explorer's run picker; the run id is folder-safe, so it is the key too. */
const entry = (run: RunInfo): VizRunEntry => ({
  key: run.runId,
  name: `${run.createdAt.slice(0, 16).replace('T', ' ')} · ${run.source}`,
  createdAt: run.createdAt,
  source: run.source,
  items: run.counts.clustered - (run.counts.withheld ?? 0),
});

/**
 * Publishes a finished run for the explorer in the very format `open-clio viz` serves (the same
 * `prepareVizData`): `<runId>/index.json`, its item chunks, search shards and map points; then
 * the runs index, rebuilt from the run table (never read-modify-written, so two runs finishing
 * together cannot drop each other). The run being published is added from the document, since
 * the table's index is only eventually consistent.
 */
export async function publishRun(doc: HierarchyDoc, deps: PublishDeps): Promise<VizRunEntry[]> {
  const data = prepareVizData(doc);
  for (const path of vizFilePaths(data)) {
    const body = vizFile(data, path);
    if (body !== undefined) await deps.site.write(`${doc.run.runId}/${path}`, body);
  }
  const done = await deps.runs.listRuns({ status: 'done', limit: RUNS_INDEX_LIMIT });
  const runs = [entry(doc.run), ...done.filter((r) => r.runId !== doc.run.runId).map(entry)]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.key.localeCompare(a.key))
    .slice(0, RUNS_INDEX_LIMIT);
  // The config's trends as of this run, beside it: each run of the picker shows its own config's.
  if (deps.history && deps.history.length > 0) {
    const trends = trendsOfHistory(
      deps.history,
      runs.map((r) => ({ key: r.key, runId: r.key })),
    );
    await deps.site.write(`${doc.run.runId}/${vizPaths.trends}`, JSON.stringify(trends));
  }
  const index: VizRuns = { format: VIZ_FORMAT, runs };
  await deps.site.write(vizPaths.runs, `${JSON.stringify(index, null, 2)}\n`);
  return runs;
}
