import pLimit from 'p-limit';
import { isInTimeWindow, type TimeWindow } from '../../config/window.js';
import { errorStatus } from '../../util/retry.js';
import type { SourceProblem } from '../types.js';
import {
  isNotFound,
  type LangSmithClient,
  LangSmithSourceError,
  langSmithError,
} from './client.js';
import { splitWindow } from './sub-windows.js';

/** A root run reduced to what a thread or an item needs. */
export interface RootRun {
  readonly id: string;
  readonly name: string | undefined;
  readonly startTime: Date;
  readonly inputs: unknown;
  readonly outputs: unknown;
  /** User metadata (`metadata`, else `extra.metadata`). */
  readonly metadata: Record<string, unknown>;
  /** The conversation this run belongs to, when it has one. */
  readonly threadId: string | undefined;
}

export interface RootRunQuery {
  readonly projectName: string;
  readonly window: TimeWindow;
  readonly filterString?: string | undefined;
  readonly client: LangSmithClient;
}

export interface RootRuns {
  readonly runs: RootRun[];
  readonly problems: SourceProblem[];
}

/** LangSmith's own thread keys, in the order it reads them. */
export const THREAD_KEYS = ['session_id', 'thread_id', 'conversation_id'] as const;
const SELECTS = ['ID', 'NAME', 'START_TIME', 'INPUTS', 'OUTPUTS', 'METADATA', 'EXTRA', 'THREAD_ID'];
const PAGE_SIZE = 100;
/**
 * The SDK's paged query already retries throttling (429), timeouts and 5xx with backoff and the
 * server's Retry-After, but only twice by default; a long window is many pages, and one page
 * giving up loses them all, so allow more.
 */
const QUERY_RETRIES = 6;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

const keyValue = (v: unknown): string | undefined =>
  (typeof v === 'string' && v !== '') || typeof v === 'number' ? String(v) : undefined;

// The v2 API returns `metadata` on its own; older payloads keep it in `extra.metadata`.
function runMetadata(raw: Record<string, unknown>): Record<string, unknown> {
  const extra = isRecord(raw.extra) && isRecord(raw.extra.metadata) ? raw.extra.metadata : {};
  return { ...extra, ...(isRecord(raw.metadata) ? raw.metadata : {}) };
}

/** The server's `thread_id`, else the first thread key in `metadata` or `extra.metadata`. */
export function threadIdOf(raw: Record<string, unknown>): string | undefined {
  const server = keyValue(raw.thread_id);
  if (server !== undefined) return server;
  const extra = isRecord(raw.extra) ? raw.extra.metadata : undefined;
  for (const source of [raw.metadata, extra]) {
    if (!isRecord(source)) continue;
    for (const key of THREAD_KEYS) {
      const value = keyValue(source[key]);
      if (value !== undefined) return value;
    }
  }
  return undefined;
}

/** Run timestamps without a zone are UTC (the classic API sent them so). */
function parseRunTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const zoned = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) ? value : `${value}Z`;
  const t = Date.parse(zoned);
  return Number.isNaN(t) ? undefined : new Date(t);
}

function toRootRun(raw: unknown, problems: SourceProblem[]): RootRun | undefined {
  if (!isRecord(raw) || typeof raw.id !== 'string') {
    problems.push({ location: 'run ?', message: 'a run without an id; skipped' });
    return undefined;
  }
  const startTime = parseRunTime(raw.start_time);
  if (!startTime) {
    problems.push({ location: `run ${raw.id}`, message: 'no valid start_time; skipped' });
    return undefined;
  }
  return {
    id: raw.id,
    name: typeof raw.name === 'string' ? raw.name : undefined,
    startTime,
    inputs: raw.inputs ?? {},
    outputs: raw.outputs ?? undefined,
    metadata: runMetadata(raw),
    threadId: threadIdOf(raw),
  };
}

async function projectId(client: LangSmithClient, projectName: string): Promise<string> {
  const quoted = JSON.stringify(projectName);
  try {
    return (await client.readProject({ projectName })).id;
  } catch (error) {
    if (isNotFound(error)) {
      throw new LangSmithSourceError(
        `LangSmith project ${quoted} not found; check project_name (it must match the ` +
          "tracing project's name exactly) and that the API key belongs to its workspace",
      );
    }
    throw langSmithError(client, `reading project ${quoted}`, error);
  }
}

/** How a window's pages are fetched: cut by time into sub-windows paged side by side. */
export interface PagingOptions {
  /**
   * Sub-windows the window is cut into; each is paged on its own. More than `concurrency`,
   * so that a burst of traffic in one stretch of the window does not leave the others idle.
   * @default 32
   */
  readonly subWindows?: number;
  /** Sub-windows paged at once. @default 8 */
  readonly concurrency?: number;
}

const SUB_WINDOWS = 32;
const CONCURRENCY = 8;
/** No sub-window shorter than this: a tiny window is not worth many requests. */
const MIN_SUB_WINDOW_MS = 60_000;

/** Where a failure came from: the source (reported as a LangSmith error) or the caller's hook. */
class HookFailure {
  constructor(readonly error: unknown) {}
}

function sourceError(client: LangSmithClient, projectName: string, error: unknown): Error {
  if (errorStatus(error) === 404) {
    return new LangSmithSourceError(
      'this LangSmith server has no runs query API (POST /api/v2/runs/query); ' +
        'self-hosted LangSmith needs version 0.16 or later',
      { cause: error },
    );
  }
  return langSmithError(
    client,
    `querying the runs of project ${JSON.stringify(projectName)}`,
    error,
  );
}

/**
 * Hands every root run of the project that started in [start, end) to `onRun`, once, through
 * all pages of `POST /api/v2/runs/query`. The window is cut into sub-windows paged concurrently
 * (each with the SDK's retries); the API's bounds are not documented as half-open, so each
 * sub-window is applied again here, and a run id seen twice (a page boundary moving under new
 * runs) counts once. Runs arrive in no particular order. Problems (runs skipped) come back in
 * sub-window order. A page that fails after its retries fails the whole query: the other
 * sub-windows stop, and nothing is returned as if it were complete.
 */
export async function forEachRootRun(
  query: RootRunQuery,
  onRun: (run: RootRun) => void | Promise<void>,
  paging: PagingOptions = {},
): Promise<SourceProblem[]> {
  const { client, window, projectName, filterString } = query;
  const id = await projectId(client, projectName);
  const windows = splitWindow(window, paging.subWindows ?? SUB_WINDOWS, MIN_SUB_WINDOW_MS);
  const problems: SourceProblem[][] = windows.map(() => []);
  const seen = new Set<string>();
  const abort = new AbortController();
  let failure: { readonly error: unknown } | undefined;
  const limit = pLimit(paging.concurrency ?? CONCURRENCY);

  const page = async (sub: TimeWindow, skipped: SourceProblem[]) => {
    const params = {
      project_ids: [id],
      is_root: true,
      min_start_time: sub.start.toISOString(),
      max_start_time: sub.end.toISOString(),
      selects: SELECTS,
      page_size: PAGE_SIZE,
      ...(filterString ? { filter: filterString } : {}),
    } as Parameters<LangSmithClient['runs']['query']>[0];
    const pages = client.runs.query(params, { maxRetries: QUERY_RETRIES, signal: abort.signal });
    for await (const raw of pages) {
      if (failure) return;
      const run = toRootRun(raw, skipped);
      if (!run || seen.has(run.id) || !isInTimeWindow(sub, run.startTime)) continue;
      seen.add(run.id);
      try {
        await onRun(run);
      } catch (error) {
        throw new HookFailure(error);
      }
    }
  };
  await Promise.all(
    windows.map((sub, i) =>
      limit(async () => {
        if (failure) return;
        try {
          await page(sub, problems[i] as SourceProblem[]);
        } catch (error) {
          // The first failure is the one to report; the aborts it causes are not.
          if (failure) return;
          failure = { error };
          abort.abort();
        }
      }),
    ),
  );
  if (failure) {
    const { error } = failure;
    throw error instanceof HookFailure ? error.error : sourceError(client, projectName, error);
  }
  return problems.flat();
}

/** Every root run of the project that started in [start, end) (see `forEachRootRun`). */
export async function queryRootRuns(
  query: RootRunQuery,
  paging: PagingOptions = {},
): Promise<RootRuns> {
  const runs: RootRun[] = [];
  const problems = await forEachRootRun(query, (run) => void runs.push(run), paging);
  return { runs, problems };
}
