import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { FsStore } from '../store/fs-store.js';
import { readHistory } from '../trends/history.js';
import { type TrendOptions, type Trends, trendsOf } from '../trends/trends.js';
import { ClioError } from '../util/errors.js';

export interface TrendsCommandOptions extends TrendOptions {
  readonly config: string;
  readonly cwd: string;
  /** Told about kept runs that could not be read (they are left out). */
  readonly warn?: (message: string) => void;
}

/** `open-clio trends`: each cluster's share of every kept run of the config's save_path. */
export async function runTrendsCommand(options: TrendsCommandOptions): Promise<Trends> {
  const { config } = await loadConfig(options.config, { cwd: options.cwd });
  const store = new FsStore(resolve(options.cwd, config.save_path));
  await store.settle();
  const { runs, problems } = await readHistory(store);
  for (const problem of problems) options.warn?.(problem);
  if (runs.length === 0) {
    throw new ClioError(
      config.history === 0
        ? `${config.save_path} keeps no history ("history": 0 in the config)`
        : `${config.save_path} holds no run history yet: it grows with each "open-clio generate" (or extend) of this config`,
    );
  }
  const trends = trendsOf(runs, options);
  if (trends.clusters.length === 0) {
    const deepest = Math.max(...runs.map((r) => r.levels.length - 1));
    throw new ClioError(
      `no kept run has level ${String(options.level)}: levels go from 0 (base) to ${deepest} (top)`,
    );
  }
  return trends;
}

const NAME_WIDTH = 40;
const COLUMN = 8;
const clip = (text: string) =>
  text.length > NAME_WIDTH ? `${text.slice(0, NAME_WIDTH - 1)}…` : text;

/** When a run's items are from: its time window where it has one, else when it ran. */
const when = (run: Trends['runs'][number]) =>
  run.window ? `${run.window.start} – ${run.window.end}` : `run at ${run.createdAt}`;

/** The runs, then one row per cluster with its share in each run (– where absent). */
export function formatTrends(trends: Trends): string {
  const { runs, thresholds } = trends;
  const last = runs.length - 1;
  const level =
    typeof trends.level === 'number' ? `level ${trends.level}` : `${trends.level} level`;
  const lines = [
    `${runs.length} run${runs.length === 1 ? '' : 's'}, oldest first; shares of each run's items, ${level}.`,
    ...runs.map((run, r) => `  #${r + 1}  ${when(run)}  (run ${run.runId}, ${run.items} items)`),
    runs.length > 1
      ? `Growing or shrinking: run #${last + 1} against #${last}, share changed by at least ${thresholds.minPoints} pp and ${thresholds.minRatio}×.`
      : 'One run: nothing to flag yet.',
    '',
    [
      'change'.padEnd(9),
      'cluster'.padEnd(NAME_WIDTH),
      ...runs.map((_, r) => `#${r + 1}`.padStart(COLUMN)),
    ].join(' '),
  ];
  for (const cluster of trends.clusters) {
    lines.push(
      [
        (cluster.status ?? '').padEnd(9),
        clip(cluster.name).padEnd(NAME_WIDTH),
        ...cluster.shares.map((share, r) =>
          ((cluster.sizes[r] ?? 0) > 0 ? `${(share * 100).toFixed(1)}%` : '–').padStart(COLUMN),
        ),
      ].join(' '),
    );
  }
  return lines.join('\n');
}
