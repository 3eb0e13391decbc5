import { describeTimeWindow, type TimeWindow } from '../../config/window.js';
import type { Item, LoadedItems } from '../types.js';
import type { LangSmithClient } from './client.js';
import { queryRootRuns, type RootRun } from './runs.js';

/** Turns kept per thread in `metadata.turns`: the latest ones, so the item stays small. */
export const MAX_TURNS = 50;

export interface ThreadsSourceOptions {
  readonly projectName: string;
  /** Half-open: a run starting exactly at `end` belongs to the next window. */
  readonly window: TimeWindow;
  /** A LangSmith filter expression, passed to the API as it is. */
  readonly filterString?: string | undefined;
  readonly client: LangSmithClient;
}

export interface Turn {
  readonly run_id: string;
  readonly start_time: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
}

const byStart = (a: RootRun, b: RootRun) =>
  a.startTime.getTime() - b.startTime.getTime() || a.id.localeCompare(b.id);

const withOutputs = (base: Omit<Item, 'outputs'>, outputs: unknown): Item =>
  outputs === undefined || outputs === null ? base : { ...base, outputs };

/**
 * One item per conversation: the latest root run's inputs and outputs (in chat apps they carry
 * the whole message history), and every turn, oldest first, in `metadata.turns`.
 */
function threadItem(threadId: string, runs: readonly RootRun[]): Item {
  const first = runs[0];
  const latest = runs[runs.length - 1];
  if (!first || !latest) throw new Error(`thread ${threadId} has no runs`);
  const turns: Turn[] = runs.slice(-MAX_TURNS).map((run) => ({
    run_id: run.id,
    start_time: run.startTime.toISOString(),
    inputs: run.inputs,
    outputs: run.outputs ?? null,
  }));
  return withOutputs(
    {
      id: threadId,
      inputs: latest.inputs,
      metadata: {
        ...latest.metadata,
        thread_id: threadId,
        run_count: runs.length,
        first_start_time: first.startTime.toISOString(),
        last_start_time: latest.startTime.toISOString(),
        turns,
      },
    },
    latest.outputs,
  );
}

function runItem(run: RootRun): Item {
  return withOutputs(
    {
      id: run.id,
      inputs: run.inputs,
      metadata: {
        ...run.metadata,
        ...(run.name !== undefined ? { run_name: run.name } : {}),
        start_time: run.startTime.toISOString(),
      },
    },
    run.outputs,
  );
}

/**
 * Root runs that share a thread key become one item (id = thread id); a run without one is an
 * item of its own (id = run id). Items come out in order of their first run, whatever order the
 * API paged them in, so seeded sampling picks the same items every time.
 */
export function groupRootRuns(runs: readonly RootRun[]): Item[] {
  const sorted = [...runs].sort(byStart);
  const threads = new Map<string, RootRun[]>();
  const order: Array<{ readonly key: string; readonly run?: RootRun }> = [];
  for (const run of sorted) {
    if (run.threadId === undefined) {
      order.push({ key: run.id, run });
      continue;
    }
    const members = threads.get(run.threadId);
    if (members) members.push(run);
    else {
      threads.set(run.threadId, [run]);
      order.push({ key: run.threadId });
    }
  }
  return order.map(({ key, run }) =>
    run ? runItem(run) : threadItem(key, threads.get(key) ?? []),
  );
}

/** The project's conversations (or root runs, when they carry no thread key) in the window. */
export async function loadThreadsSource(options: ThreadsSourceOptions): Promise<LoadedItems> {
  const { projectName, window, filterString } = options;
  const { runs, problems } = await queryRootRuns(options);
  const filter = filterString ? ` matching ${filterString}` : '';
  return {
    items: groupRootRuns(runs),
    problems,
    description: `LangSmith project ${JSON.stringify(projectName)}, root runs in ${describeTimeWindow(window)}${filter}`,
  };
}
