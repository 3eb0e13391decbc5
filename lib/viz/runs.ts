import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { PREVIOUS_DIR } from '../compare/previous.js';
import { runInfoSchema } from '../output/hierarchy-schema.js';
import { OUTPUT_FILES } from '../output/write.js';
import { RUN_RECORD, runRecordSchema } from '../pipeline/run-record.js';
import { ClioError } from '../util/errors.js';
import type { VizRunEntry } from './format.js';

/** A run the explorer can show: its `hierarchy.json` and how the picker lists it. */
export interface RunLocation extends VizRunEntry {
  readonly file: string;
  /** Its run id, for finding it among a save_path's kept runs (trends); absent if unreadable. */
  readonly runId?: string;
}

/** What the picker needs of a hierarchy's run info, without validating the whole document. */
const hierarchyRunSchema = z.object({
  run: runInfoSchema.pick({ runId: true, createdAt: true, source: true, counts: true }),
});

/** `{"runs": [{"name": "May", "path": "may/"}, "june/hierarchy.json"]}`, paths relative to it. */
const runsIndexSchema = z.object({
  runs: z.array(z.union([z.string(), z.object({ path: z.string(), name: z.string().optional() })])),
});

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/**
 * The runs under `target`: a run folder (or its `hierarchy.json`), a folder whose subfolders
 * are runs, or a JSON runs index listing run folders.
 */
export async function findRuns(target: string): Promise<RunLocation[]> {
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new ClioError(`nothing at ${target}: run "open-clio generate" first`);
  let found: { file: string; name?: string; previous?: boolean }[];
  if (info.isFile() && basename(target) !== OUTPUT_FILES.hierarchy) {
    found = await runsFromIndex(target);
  } else if (info.isFile()) {
    found = [{ file: target }];
  } else if (await isFile(join(target, OUTPUT_FILES.hierarchy))) {
    found = [{ file: join(target, OUTPUT_FILES.hierarchy) }];
    // The run this one replaced (kept by generate and extend): listed so the two can be compared.
    const previous = join(target, PREVIOUS_DIR, OUTPUT_FILES.hierarchy);
    if (await isFile(previous)) {
      found.push({ file: previous, name: `${basename(target)} (previous)`, previous: true });
    }
  } else {
    const entries = await readdir(target, { withFileTypes: true });
    const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name);
    const files = dirs.sort().map((dir) => join(target, dir, OUTPUT_FILES.hierarchy));
    const present = await Promise.all(files.map(isFile));
    found = files.filter((_, i) => present[i]).map((file) => ({ file }));
  }
  if (found.length === 0) {
    throw new ClioError(
      `no ${OUTPUT_FILES.hierarchy} in ${target} or its subfolders: run "open-clio generate" first`,
    );
  }
  const used = new Set<string>();
  const runs: RunLocation[] = [];
  for (const { file, name, previous } of found) {
    const folder = basename(dirname(file));
    const key = uniqueKey(folder, used);
    const described = await describeRun(file, name ?? folder);
    const first = runs[0];
    runs.push({ key, file, ...described, ...(previous && first ? { previousOf: first.key } : {}) });
  }
  return runs;
}

async function runsFromIndex(path: string): Promise<{ file: string; name?: string }[]> {
  let parsed: z.infer<typeof runsIndexSchema>;
  try {
    parsed = runsIndexSchema.parse(JSON.parse(await readFile(path, 'utf8')));
  } catch (error) {
    throw new ClioError(
      `${path} is neither a run folder nor a runs index ({"runs": [{"path": …}]}): ${(error as Error).message}`,
    );
  }
  return parsed.runs.map((entry) => {
    const { path: target, name } = typeof entry === 'string' ? { path: entry } : entry;
    const full = resolve(dirname(path), target);
    const file = full.endsWith('.json') ? full : join(full, OUTPUT_FILES.hierarchy);
    return name === undefined ? { file } : { file, name };
  });
}

function uniqueKey(name: string, used: Set<string>): string {
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '') || 'run';
  let key = base;
  for (let i = 2; used.has(key); i++) key = `${base}-${i}`;
  used.add(key);
  return key;
}

/**
 * What the run picker shows, from the small `run.json` beside it when that is the finished run
 * (a later attempt that did not finish has replaced it otherwise), else from the hierarchy.
 */
async function describeRun(file: string, name: string): Promise<Omit<RunLocation, 'key' | 'file'>> {
  try {
    const text = await readFile(join(dirname(file), RUN_RECORD), 'utf8').catch(() => undefined);
    const latest = text === undefined ? undefined : runRecordSchema.safeParse(JSON.parse(text));
    const run =
      latest?.success && latest.data.status === 'done'
        ? latest.data
        : hierarchyRunSchema.parse(JSON.parse(await readFile(file, 'utf8'))).run;
    return {
      name,
      runId: run.runId,
      createdAt: run.createdAt,
      source: run.source,
      items: run.counts.clustered - run.counts.withheld,
    };
  } catch {
    const modified = await stat(file).then((s) => s.mtime.toISOString());
    return { name, createdAt: modified, source: '', items: 0 };
  }
}
