import type { Store } from '../store/types.js';
import { type RunSummary, readHistory } from '../trends/history.js';
import { trendsOf } from '../trends/trends.js';
import { VIZ_FORMAT, type VizTrends } from './format.js';

/**
 * The explorer's `trends.json`: the kept runs of the save_path in `history`, by the same
 * `trendsOf` (and its default thresholds) as `open-clio trends`, each linked to the explorer run
 * that still shows it.
 */
export async function vizTrends(history: Store, shown: readonly ShownRun[]): Promise<VizTrends> {
  const { runs, problems } = await readHistory(history);
  return trendsOfHistory(runs, shown, problems);
}

/** An explorer run: its key in `runs.json`, and the run it shows. */
interface ShownRun {
  readonly key: string;
  readonly runId?: string | undefined;
}

/** `trends.json` from kept runs already read (oldest first), as Finalize publishes it on AWS. */
export function trendsOfHistory(
  runs: readonly RunSummary[],
  shown: readonly ShownRun[],
  problems: readonly string[] = [],
): VizTrends {
  const keyOf = new Map(shown.flatMap((r) => (r.runId === undefined ? [] : [[r.runId, r.key]])));
  return {
    format: VIZ_FORMAT,
    top: trendsOf(runs, { level: 'top' }),
    base: trendsOf(runs, { level: 'base' }),
    shown: Object.fromEntries(
      runs.flatMap((run) => {
        const key = keyOf.get(run.runId);
        return key === undefined ? [] : [[run.runId, key]];
      }),
    ),
    problems,
  };
}
