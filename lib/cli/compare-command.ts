import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type CompareOptions, compareRuns } from '../compare/compare.js';
import { loadRun } from '../compare/load.js';
import { PREVIOUS_DIR } from '../compare/previous.js';
import type { ClusterChange, Comparison, LevelComparison } from '../compare/types.js';
import { loadConfig } from '../config/index.js';
import { unfinishedAttemptNote } from '../pipeline/latest-attempt.js';
import { FsStore } from '../store/fs-store.js';
import { ClioError } from '../util/errors.js';

export interface CompareCommandOptions extends CompareOptions {
  /** Run folders or `hierarchy.json` files; both absent = the config's run and its `previous/`. */
  readonly runs: readonly string[];
  readonly config: string;
  readonly cwd: string;
  /** Told when the config's latest run did not finish (the comparison is of complete runs). */
  readonly warn?: (message: string) => void;
}

/** `open-clio compare`: what changed from run A to run B. */
export async function runCompareCommand(options: CompareCommandOptions): Promise<Comparison> {
  let paths: [string, string];
  if (options.runs.length === 2) {
    paths = options.runs as [string, string];
  } else if (options.runs.length === 0) {
    const { config } = await loadConfig(options.config, { cwd: options.cwd });
    paths = [join(config.save_path, PREVIOUS_DIR), config.save_path];
    const store = new FsStore(resolve(options.cwd, config.save_path));
    await store.settle();
    const unfinished = await unfinishedAttemptNote(store, 'comparing');
    if (unfinished) options.warn?.(unfinished);
    if (!(await stat(resolve(options.cwd, paths[0])).catch(() => undefined))) {
      throw new ClioError(
        `${config.save_path} holds no previous run yet: it appears once generate or extend replaces the run there; or give two runs to compare`,
      );
    }
  } else {
    throw new ClioError(
      "compare takes two runs (folders or hierarchy.json files), or none to compare the config's run with the one it replaced",
    );
  }
  const load = (path: string) => loadRun(resolve(options.cwd, path), path);
  const [a, b] = await Promise.all([load(paths[0]), load(paths[1])]);
  return compareRuns(a, b, options);
}

const NAME_WIDTH = 48;
const pct = (share: number) => `${(share * 100).toFixed(1)}%`;
const clip = (text: string) =>
  text.length > NAME_WIDTH ? `${text.slice(0, NAME_WIDTH - 1)}…` : text;

function levelTitle(level: LevelComparison, levelCount: number): string {
  const where = level.level === 0 ? ' (base)' : level.level === levelCount - 1 ? ' (top)' : '';
  const { counts } = level;
  return (
    `Level ${level.level}${where}: ${level.clustersA} → ${level.clustersB} clusters · ` +
    `${counts.new} new, ${counts.vanished} vanished, ${counts.growing} growing, ` +
    `${counts.shrinking} shrinking, ${counts.stable} stable`
  );
}

function row(change: ClusterChange): string {
  const name = change.b?.name ?? change.a?.name ?? '';
  const size = (side: ClusterChange['a']) => (side ? String(side.size) : '–');
  const share = (side: ClusterChange['a']) => (side ? pct(side.share) : '–');
  const delta = `${change.shareChange >= 0 ? '+' : ''}${change.shareChange.toFixed(1)} pp`;
  return [
    `  ${change.status.padEnd(9)}`,
    clip(name).padEnd(NAME_WIDTH),
    size(change.a).padStart(7),
    share(change.a).padStart(7),
    size(change.b).padStart(7),
    share(change.b).padStart(7),
    delta.padStart(10),
  ].join(' ');
}

/** The comparison as a table per level, top level first; unchanged clusters only with `all`. */
export function formatComparison(comparison: Comparison, options: { all?: boolean } = {}): string {
  const { a, b } = comparison;
  const lines = [
    `A: ${a.label}  (run ${a.runId}, ${a.items} items)`,
    `B: ${b.label}  (run ${b.runId}, ${b.items} items)`,
    `Growing or shrinking: share of items changed by at least ${comparison.thresholds.minPoints} pp and ${comparison.thresholds.minRatio}×.` +
      (comparison.centroids ? '' : ' Matched without centroids (keys, shared items and names).'),
  ];
  const levels = [...comparison.levels].reverse();
  for (const level of levels) {
    lines.push('', levelTitle(level, comparison.levels.length));
    const shown = level.changes.filter((c) => options.all || c.status !== 'stable');
    if (shown.length === 0) continue;
    lines.push(
      `  ${'change'.padEnd(9)} ${'cluster'.padEnd(NAME_WIDTH)} ${'A size'.padStart(7)} ${'A share'.padStart(7)} ${'B size'.padStart(7)} ${'B share'.padStart(7)} ${'Δ share'.padStart(10)}`,
    );
    for (const change of shown) lines.push(row(change));
  }
  return lines.join('\n');
}
