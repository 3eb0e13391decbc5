import { describeTimeWindow, type TimeWindow } from '../../config/window.js';
import type { Item, LoadedItems } from '../types.js';
import type { LangSmithClient } from './client.js';
import { type PagingOptions, queryRootRuns, type RootRun } from './runs.js';

/** Turns kept per thread in `metadata.turns`: the latest ones, so the item stays small. */
export const MAX_TURNS = 50;

export interface ThreadsSourceOptions {
  readonly projectName: string;
  /** Half-open: a run starting exactly at `end` belongs to the next window. */
  readonly window: TimeWindow;
  /** A LangSmith filter expression, passed to the API as it is. */
  readonly filterString?: string | undefined;
  readonly client: LangSmithClient;
  readonly paging?: PagingOptions;
}

export interface Turn {
  readonly run_id: string;
  readonly start_time: string;
  readonly inputs: unknown;
  readonly outputs: unknown;
}

/**
 * The order of runs, and of items by their first run: by start time (ms), then id. Spelled on
 * plain values so an index of items can be ordered without holding their runs.
 */
export const compareStarts = (aMs: number, aId: string, bMs: number, bId: string): number =>
  aMs - bMs || aId.localeCompare(bId);

export const compareRuns = (a: RootRun, b: RootRun): number =>
  compareStarts(a.startTime.getTime(), a.id, b.startTime.getTime(), b.id);

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
 * The item a run belongs to: its thread, or the run alone when it has no thread key. Spelled
 * apart, so a thread named like some run's id is still another item.
 */
export const itemKeyOf = (run: RootRun): string =>
  run.threadId !== undefined ? `thread:${run.threadId}` : `run:${run.id}`;

/** An item with its key and its first run, which places it among the items of a window. */
export interface KeyedItem {
  readonly key: string;
  readonly first: RootRun;
  readonly item: Item;
}

/** `groupRootRuns` with each item's key and first run (see there). */
export function groupKeyedItems(runs: readonly RootRun[]): KeyedItem[] {
  const sorted = [...runs].sort(compareRuns);
  const threads = new Map<string, RootRun[]>();
  for (const run of sorted) {
    if (run.threadId === undefined) continue;
    const members = threads.get(run.threadId);
    if (members) members.push(run);
    else threads.set(run.threadId, [run]);
  }
  const keyed: KeyedItem[] = [];
  for (const run of sorted) {
    if (run.threadId === undefined) {
      keyed.push({ key: itemKeyOf(run), first: run, item: runItem(run) });
      continue;
    }
    const members = threads.get(run.threadId);
    if (members?.[0] !== run) continue;
    keyed.push({ key: itemKeyOf(run), first: run, item: threadItem(run.threadId, members) });
  }
  return keyed;
}

/**
 * Root runs that share a thread key become one item (id = thread id); a run without one is an
 * item of its own (id = run id). Items come out in order of their first run (`compareRuns`),
 * whatever order the API paged them in, so seeded sampling picks the same items every time.
 */
export function groupRootRuns(runs: readonly RootRun[]): Item[] {
  return groupKeyedItems(runs).map((keyed) => keyed.item);
}

/** How a project source is named in messages and the run record. */
export function describeThreadsSource(
  options: Pick<ThreadsSourceOptions, 'projectName' | 'window' | 'filterString'>,
): string {
  const { projectName, window, filterString } = options;
  const filter = filterString ? ` matching ${filterString}` : '';
  return `LangSmith project ${JSON.stringify(projectName)}, root runs in ${describeTimeWindow(window)}${filter}`;
}

/**
 * The project's conversations (or root runs, when they carry no thread key) in the window, all
 * in memory: for windows of a size one process holds comfortably (Prepare streams them instead).
 */
export async function loadThreadsSource(options: ThreadsSourceOptions): Promise<LoadedItems> {
  const { runs, problems } = await queryRootRuns(options, options.paging);
  return { items: groupRootRuns(runs), problems, description: describeThreadsSource(options) };
}
