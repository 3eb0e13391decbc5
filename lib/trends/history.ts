import { z } from 'zod';
import { withDerivedKeys } from '../compare/keys.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { Store, StoreEntry } from '../store/types.js';

/** Where a save_path keeps its runs for `trends`, beside `previous/`. */
export const HISTORY_DIR = 'history';
/** The kept runs, oldest first: the one file a reader needs to find them (a store cannot list). */
export const HISTORY_INDEX = `${HISTORY_DIR}/index.json`;
const SUMMARY_FILE = 'summary.json';

const windowSchema = z.object({ start: z.string(), end: z.string() }).nullable();

/**
 * What a trend needs of one run, a few kilobytes where its `hierarchy.json` can be hundreds of
 * megabytes: each cluster by its stable key, with its size.
 */
export const runSummarySchema = z.object({
  format: z.literal(1),
  runId: z.string(),
  createdAt: z.string(),
  source: z.string(),
  window: windowSchema,
  /** Items the run's outputs hold: what a cluster's share is of (as in `compare`). */
  items: z.number().int().nonnegative(),
  /** Clusters per level, base first. */
  levels: z.array(z.number().int().nonnegative()),
  clusters: z.array(
    z.object({
      key: z.string(),
      level: z.number().int().nonnegative(),
      name: z.string(),
      size: z.number().int().nonnegative(),
      partition: z.string(),
      parentKey: z.string().nullable(),
    }),
  ),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

const indexSchema = z.object({
  runs: z.array(z.object({ runId: z.string(), createdAt: z.string(), dir: z.string() })),
});
type HistoryIndex = z.infer<typeof indexSchema>;

export function runSummary(doc: HierarchyDoc): RunSummary {
  // Runs made before keys get the keys their successor derived when it matched them.
  const keyed = withDerivedKeys(doc);
  const keyOf = new Map(keyed.clusters.map((c) => [`${c.level}:${c.id}`, c.key as string]));
  const { run } = keyed;
  return {
    format: 1,
    runId: run.runId,
    createdAt: run.createdAt,
    source: run.source,
    window: run.window,
    items: keyed.items.length,
    levels: keyed.levels.map((l) => l.count),
    clusters: keyed.clusters.map((c) => ({
      key: c.key as string,
      level: c.level,
      name: c.name,
      size: c.size,
      partition: c.partition,
      parentKey: c.parent === null ? null : (keyOf.get(`${c.level + 1}:${c.parent}`) ?? null),
    })),
  };
}

/** A folder name that sorts by time and is valid on every file system (no colons). */
const entryDir = (summary: RunSummary) =>
  `${HISTORY_DIR}/${summary.createdAt.replace(/[:.]/g, '-')}_${summary.runId}`;

async function readIndex(store: Store): Promise<HistoryIndex> {
  const text = await store.read(HISTORY_INDEX);
  if (text === undefined) return { runs: [] };
  try {
    const parsed = indexSchema.safeParse(JSON.parse(text));
    // A damaged index only loses the history; it must not fail the run that writes the next one.
    return parsed.success ? parsed.data : { runs: [] };
  } catch {
    return { runs: [] };
  }
}

export interface HistoryUpdate {
  /** To write with the run's outputs, all or none (`writeTogether`). */
  readonly files: StoreEntry[];
  /** Folders of runs beyond retention, to remove once the files are written (`pruneHistory`). */
  readonly pruned: string[];
}

/**
 * The history with `docs` recorded (oldest first; a run already kept is replaced, as `extend`
 * changes its run), keeping the newest `retention` runs. Recording the replaced run too gives a
 * save_path that predates the history its first two points.
 */
export async function historyUpdate(
  store: Store,
  docs: readonly (HierarchyDoc | undefined)[],
  retention: number,
): Promise<HistoryUpdate> {
  const index = await readIndex(store);
  const summaries = docs.filter((d): d is HierarchyDoc => d !== undefined).map(runSummary);
  const recorded = new Set(summaries.map((s) => s.runId));
  const runs = [
    ...index.runs.filter((r) => !recorded.has(r.runId)),
    ...summaries.map((s) => ({ runId: s.runId, createdAt: s.createdAt, dir: entryDir(s) })),
  ].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const kept = runs.slice(Math.max(0, runs.length - retention));
  const keptDirs = new Set(kept.map((r) => r.dir));
  const files: StoreEntry[] = summaries
    .filter((s) => keptDirs.has(entryDir(s)))
    .map((s) => [`${entryDir(s)}/${SUMMARY_FILE}`, `${JSON.stringify(s)}\n`]);
  files.push([HISTORY_INDEX, `${JSON.stringify({ runs: kept }, null, 2)}\n`]);
  const pruned = index.runs.filter((r) => !keptDirs.has(r.dir)).map((r) => r.dir);
  return { files, pruned };
}

/** Removes pruned runs' folders; a failure leaves only unlisted files, so it is not an error. */
export async function pruneHistory(store: Store, pruned: readonly string[]): Promise<void> {
  for (const dir of pruned) await store.removeAll?.(dir).catch(() => undefined);
}

/** The kept runs' summaries, oldest first; unreadable ones are skipped and named in `problems`. */
export async function readHistory(
  store: Store,
): Promise<{ runs: RunSummary[]; problems: string[] }> {
  const index = await readIndex(store);
  const runs: RunSummary[] = [];
  const problems: string[] = [];
  for (const entry of index.runs) {
    const key = `${entry.dir}/${SUMMARY_FILE}`;
    const text = await store.read(key);
    let parsed: ReturnType<typeof runSummarySchema.safeParse> | undefined;
    try {
      parsed = text === undefined ? undefined : runSummarySchema.safeParse(JSON.parse(text));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) runs.push(parsed.data);
    else problems.push(`${store.location}/${key} is missing or unreadable; that run is left out`);
  }
  return { runs, problems };
}
