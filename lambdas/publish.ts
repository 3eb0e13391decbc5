import type { HierarchyDoc, RunInfo } from '../lib/output/hierarchy-schema.js';
import type { ListRunsOptions, StoredRun } from '../lib/store/dynamo-hierarchy.js';
import type { Store } from '../lib/store/types.js';
import { SITE_DATA } from './contract.js';

/** Version of `data/runs.json`; bump on any change the explorer could trip over. */
export const RUNS_INDEX_VERSION = 1;
/** Runs listed in the index; older ones stay in the table and the artifacts bucket. */
export const RUNS_INDEX_LIMIT = 200;

export interface RunsIndexEntry {
  readonly runId: string;
  readonly createdAt: string;
  readonly source: string;
  readonly window: RunInfo['window'];
  readonly hierarchy: number[];
  readonly counts: RunInfo['counts'];
  readonly costUsd: number;
  /** Relative to the index: `runs/<runId>/hierarchy.json`. */
  readonly path: string;
}

export interface PublishDeps {
  /** The site bucket under `data/`. */
  readonly site: Store;
  readonly runs: { listRuns(options: ListRunsOptions): Promise<StoredRun[]> };
}

const entry = (run: RunInfo): RunsIndexEntry => ({
  runId: run.runId,
  createdAt: run.createdAt,
  source: run.source,
  window: run.window,
  hierarchy: run.hierarchy,
  counts: run.counts,
  costUsd: run.costUsd,
  path: SITE_DATA.run(run.runId),
});

/**
 * Publishes a finished run for the explorer: its `hierarchy.json`, then the runs index rebuilt
 * from the run table (never read-modify-written, so two runs finishing together cannot drop each
 * other). The run being published is added from the document, since the table's index is only
 * eventually consistent.
 */
export async function publishRun(doc: HierarchyDoc, deps: PublishDeps): Promise<RunsIndexEntry[]> {
  await deps.site.write(SITE_DATA.run(doc.run.runId), JSON.stringify(doc));
  const done = await deps.runs.listRuns({ status: 'done', limit: RUNS_INDEX_LIMIT });
  const runs = [entry(doc.run), ...done.filter((r) => r.runId !== doc.run.runId).map(entry)]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.runId.localeCompare(a.runId))
    .slice(0, RUNS_INDEX_LIMIT);
  await deps.site.write(
    SITE_DATA.index,
    `${JSON.stringify({ schemaVersion: RUNS_INDEX_VERSION, runs }, null, 2)}\n`,
  );
  return runs;
}
