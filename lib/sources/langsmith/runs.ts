import { isInTimeWindow, type TimeWindow } from '../../config/window.js';
import { errorStatus } from '../../util/retry.js';
import type { SourceProblem } from '../types.js';
import {
  isNotFound,
  type LangSmithClient,
  LangSmithSourceError,
  langSmithError,
} from './client.js';

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

/**
 * Every root run of the project that started in [start, end), through all pages of
 * `POST /api/v2/runs/query`. The API's bounds are not documented as half-open, so the window is
 * applied again here; a run id seen twice (a page boundary moving under new runs) counts once.
 */
export async function queryRootRuns(query: RootRunQuery): Promise<RootRuns> {
  const { client, window, projectName, filterString } = query;
  const id = await projectId(client, projectName);
  const runs: RootRun[] = [];
  const problems: SourceProblem[] = [];
  const seen = new Set<string>();
  const params = {
    project_ids: [id],
    is_root: true,
    min_start_time: window.start.toISOString(),
    max_start_time: window.end.toISOString(),
    selects: SELECTS,
    page_size: PAGE_SIZE,
    ...(filterString ? { filter: filterString } : {}),
  } as Parameters<LangSmithClient['runs']['query']>[0];
  try {
    for await (const raw of client.runs.query(params, { maxRetries: QUERY_RETRIES })) {
      const run = toRootRun(raw, problems);
      if (!run || seen.has(run.id) || !isInTimeWindow(window, run.startTime)) continue;
      seen.add(run.id);
      runs.push(run);
    }
  } catch (error) {
    if (errorStatus(error) === 404) {
      throw new LangSmithSourceError(
        'this LangSmith server has no runs query API (POST /api/v2/runs/query); ' +
          'self-hosted LangSmith needs version 0.16 or later',
        { cause: error },
      );
    }
    throw langSmithError(
      client,
      `querying the runs of project ${JSON.stringify(projectName)}`,
      error,
    );
  }
  return { runs, problems };
}
