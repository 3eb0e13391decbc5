import { dirname, join, resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import { OUTPUT_FILES } from '../output/write.js';
import { unfinishedAttemptNote } from '../pipeline/latest-attempt.js';
import { FsStore } from '../store/fs-store.js';
import { canOpenBrowser, ensureViewerBundle, openBrowser } from '../viz/bundle.js';
import { findRuns, type RunLocation } from '../viz/runs.js';
import { startVizServer, type VizServer } from '../viz/server.js';

export interface VizOptions {
  /** A run folder, a folder of runs or a runs index; otherwise the config's `save_path`. */
  readonly path?: string;
  readonly config: string;
  readonly cwd: string;
  readonly port?: number;
  /** False keeps the browser closed (`--no-open`); it also stays closed without a display. */
  readonly open: boolean;
  readonly write: (line: string) => void;
}

/** Starts the explorer's server on the runs and prints where; the caller decides how long. */
export async function startViz(options: VizOptions): Promise<VizServer> {
  const target =
    options.path !== undefined
      ? resolve(options.cwd, options.path)
      : resolve(
          options.cwd,
          (await loadConfig(options.config, { cwd: options.cwd })).config.save_path,
        );
  // A run folder a killed `generate` left mid-commit is completed before anything reads it.
  const store = new FsStore(target);
  await store.settle();
  const runs = await findRuns(target);
  const history = savePathHistory(store, runs);
  for (const line of await unfinishedAttemptNotes(runs)) options.write(line);
  const dist = await ensureViewerBundle(options.write);
  const server = await startVizServer({
    runs,
    distDir: dist,
    ...(history === undefined ? {} : { history }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  // Reading and indexing a large hierarchy.json takes a moment: do it before anyone asks.
  await server.warm((runs[0] as (typeof runs)[number]).key);
  const what = runs.length === 1 ? `run in ${target}` : `${runs.length} runs in ${target}`;
  options.write(`Explorer for the ${what}: ${server.url}`);
  if (options.open && canOpenBrowser()) openBrowser(server.url);
  return server;
}

/**
 * Where the trends of the runs shown are kept: a save_path (one config's run folder) keeps its
 * config's history; a folder of runs or a runs index has none of its own.
 */
export function savePathHistory(store: FsStore, runs: readonly RunLocation[]): FsStore | undefined {
  const own = join(store.location, OUTPUT_FILES.hierarchy);
  return runs.some((run) => run.file === own) ? store : undefined;
}

/** What the run folders shown say of a latest attempt that did not finish. */
async function unfinishedAttemptNotes(runs: readonly RunLocation[]): Promise<string[]> {
  const notes: string[] = [];
  for (const run of runs) {
    if (run.previousOf) continue;
    const note = await unfinishedAttemptNote(new FsStore(dirname(run.file)));
    if (note) notes.push(runs.length > 1 ? `${run.name}: ${note}` : note);
  }
  return notes;
}

/** Resolves on Ctrl-C (or SIGTERM), after which the server is closed. */
export async function serveUntilInterrupted(
  server: VizServer,
  write: (line: string) => void,
): Promise<void> {
  write('Press Ctrl-C to stop.');
  await new Promise<void>((ok) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      ok();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await server.close();
}

/** `open-clio viz`: serves the explorer until interrupted. */
export async function runVizCommand(options: VizOptions): Promise<void> {
  const server = await startViz(options);
  await serveUntilInterrupted(server, options.write);
}

/**
 * After `generate`: an interactive terminal gets the explorer right away; CI, pipes and
 * `--no-viz` get one line saying how to open it, so nothing ever waits for Ctrl-C there.
 */
export async function vizAfterGenerate(
  options: Omit<VizOptions, 'path'> & { readonly location: string; readonly viz: boolean },
): Promise<void> {
  const interactive =
    Boolean(process.stdout.isTTY && process.stderr.isTTY) &&
    !(process.env.CI && process.env.CI !== 'false');
  if (!options.viz || !interactive) {
    const config = /\s/.test(options.config) ? JSON.stringify(options.config) : options.config;
    options.write(`Explore the results: npx open-clio viz --config ${config}`);
    return;
  }
  await runVizCommand({ ...options, path: options.location });
}
