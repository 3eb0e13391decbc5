/**
 * An in-memory LangSmith API on 127.0.0.1 that speaks the wire format the `langsmith` SDK 0.12
 * uses for the calls OpenCLIO makes:
 *
 * - `GET /info` (the SDK's background version check when `client.runs` is first touched)
 * - `GET /datasets?name=&limit=1` (`client.readDataset`)
 * - `GET /examples?dataset=&offset=&limit=` (`client.listExamples`, offset pages of ≤ 100)
 * - `GET /sessions?name=` (`client.readProject`)
 * - `POST /api/v2/runs/query` (`client.runs.query`: `project_ids`, `is_root`, `min_start_time`,
 *   `max_start_time`, `filter`, `selects`, `page_size`, `cursor` → `{items, next_cursor}`)
 *
 * and for `evaluate --write-back`, the writes of an experiment:
 *
 * - `PATCH /v1/platform/datasets/{id}/examples` (`client.updateExamples`: multipart, one JSON part
 *   per example id holding `{metadata}`, which replaces the example's metadata)
 * - `POST /sessions` (`client.createProject`; 409 when the name is taken), `PATCH /sessions/{id}`
 * - `POST /runs` (`client.createRun` without auto-batching), `POST /feedback`
 *
 * Classic paths are also served under `/api/v1`, as a self-hosted `apiUrl` would send them.
 * A project can be generated (`addGeneratedProject`: N threads of 1–3 runs of a few KB, made
 * page by page, so 100k threads cost little memory here) and run queries can be slowed down
 * (`queryLatencyMs`) to stand in for a remote API in benchmarks.
 * Every request needs `x-api-key`; a wrong or missing key gets LangSmith's 401.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeExample {
  readonly id: string;
  readonly inputs: Record<string, unknown>;
  readonly outputs?: Record<string, unknown> | null;
  readonly metadata?: Record<string, unknown> | null;
}

export interface FakeRun {
  readonly id: string;
  readonly name?: string;
  /** ISO 8601 with a zone; returned with microseconds as the API does. */
  readonly start_time: string;
  readonly inputs?: Record<string, unknown>;
  readonly outputs?: Record<string, unknown> | null;
  /** User metadata: returned as `metadata` and as `extra.metadata`. */
  readonly metadata?: Record<string, unknown>;
  /** Root runs by default. */
  readonly is_root?: boolean;
}

export interface FakeLangSmithOptions {
  readonly apiKey: string;
  /**
   * LangSmith derives `thread_id` from the `session_id` / `thread_id` / `conversation_id`
   * metadata keys; turn this off to imitate a server that does not.
   */
  readonly deriveThreadId?: boolean;
  /** Each `POST /api/v2/runs/query` answers after this long, as a remote API would. */
  readonly queryLatencyMs?: number;
}

/** A tracing project made up on demand: `threads` conversations spread over [start, end). */
export interface GeneratedProject {
  readonly threads: number;
  readonly start: string;
  readonly end: string;
  /** About this many bytes of inputs and outputs a run. @default 3000 */
  readonly runBytes?: number;
}

/**
 * A project's runs in the order the API pages them (newest first, then by id), with their
 * start times to find a window's range without making the runs.
 */
interface RunList {
  readonly size: number;
  startMs(k: number): number;
  run(k: number): FakeRun;
}

/** A project made through `POST /sessions` (an experiment when it names a dataset). */
export interface CreatedSession {
  readonly id: string;
  readonly name: string;
  readonly reference_dataset_id: string | null;
  readonly description: string | null;
  extra: Record<string, unknown> | null;
  end_time: string | null;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path without the `/api/v1` prefix and without the query. */
  readonly path: string;
  readonly query: Record<string, string[]>;
  readonly body: unknown;
  readonly authorized: boolean;
}

export interface FailureReply {
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

interface Failure extends FailureReply {
  readonly path: string;
  readonly status: number;
}

const THREAD_KEYS = ['session_id', 'thread_id', 'conversation_id'] as const;
const MAX_LIMIT = 100;
const TENANT_ID = '00000000-0000-4000-8000-000000000001';
const CREATED = '2025-01-01T00:00:00.000000+00:00';

/** RFC 3339 with microseconds, the precision LangSmith returns. */
const micros = (iso: string): string => new Date(iso).toISOString().replace(/Z$/, '000Z');

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export class FakeLangSmith {
  readonly requests: RecordedRequest[] = [];
  private readonly datasets = new Map<
    string,
    { id: string; name: string; examples: FakeExample[] }
  >();
  private readonly projects = new Map<string, { id: string; name: string; runs: ProjectRuns }>();
  private readonly failures: Failure[] = [];
  private readonly persistentFailures: {
    readonly path: string;
    readonly status: number;
    readonly test: (body: unknown) => boolean;
  }[] = [];
  /** Projects created by the client, runs and feedback posted to them, in order of arrival. */
  readonly sessions: CreatedSession[] = [];
  readonly postedRuns: Record<string, unknown>[] = [];
  readonly feedback: Record<string, unknown>[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly options: FakeLangSmithOptions) {}

  static async start(options: FakeLangSmithOptions): Promise<FakeLangSmith> {
    const fake = new FakeLangSmith(options);
    await fake.listen();
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  addDataset(name: string, examples: FakeExample[]): string {
    const id = randomUUID();
    this.datasets.set(id, { id, name, examples });
    return id;
  }

  addProject(name: string, runs: FakeRun[]): string {
    const id = randomUUID();
    this.projects.set(id, { id, name, runs: listedRuns(runs) });
    return id;
  }

  /** A project of generated threads (see `GeneratedProject`); every run is a root run. */
  addGeneratedProject(name: string, spec: GeneratedProject): string {
    const id = randomUUID();
    const runs = generatedRuns(spec);
    this.projects.set(id, { id, name, runs: { all: runs, root: runs, child: emptyRuns } });
    return id;
  }

  /** The examples of a dataset as they are now (updates included). */
  examplesOf(name: string): FakeExample[] {
    return [...this.datasets.values()].find((d) => d.name === name)?.examples ?? [];
  }

  /** The next request to `path` fails once with `status` (e.g. a 429 with `retry-after-ms`). */
  failNext(path: string, status: number, reply: FailureReply = {}): void {
    this.failures.push({ path, status, ...reply });
  }

  /**
   * Every request to `path` whose body passes `test` fails with `status` until the returned
   * function is called: a page that fails however often it is retried.
   */
  failWhile(path: string, status: number, test: (body: unknown) => boolean): () => void {
    const rule = { path, status, test };
    this.persistentFailures.push(rule);
    return () => {
      this.persistentFailures.splice(this.persistentFailures.indexOf(rule), 1);
    };
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((error) => (error ? reject(error) : resolve())),
    );
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        send(res, 500, { detail: String(error) });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const path = url.pathname.replace(/^\/api\/v1(?=\/)/, '');
    const raw = await readBody(req);
    const type = String(req.headers['content-type'] ?? '');
    const body: unknown = type.startsWith('multipart/form-data')
      ? await multipartParts(raw, type)
      : raw
        ? JSON.parse(raw)
        : undefined;
    const given = req.headers['x-api-key'];
    const authorized = given === this.options.apiKey;
    const query: Record<string, string[]> = {};
    for (const k of new Set(url.searchParams.keys())) query[k] = url.searchParams.getAll(k);
    this.requests.push({ method: req.method ?? 'GET', path, query, body, authorized });

    if (!authorized) {
      send(res, 401, { detail: 'Invalid token' });
      return;
    }
    const index = this.failures.findIndex((f) => f.path === path);
    const [failure] = index >= 0 ? this.failures.splice(index, 1) : [];
    if (failure) {
      send(res, failure.status, failure.body ?? { detail: 'Too many requests' }, failure.headers);
      return;
    }
    const persistent = this.persistentFailures.find((f) => f.path === path && f.test(body));
    if (persistent) {
      // Retry-After in ms keeps a client's backoff short in tests.
      send(res, persistent.status, { detail: 'Internal error' }, { 'retry-after-ms': '1' });
      return;
    }
    try {
      send(res, 200, await this.route(req.method ?? 'GET', path, url.searchParams, body));
    } catch (error) {
      if (error instanceof HttpError) send(res, error.status, error.body);
      else throw error;
    }
  }

  private async route(
    method: string,
    path: string,
    params: URLSearchParams,
    body: unknown,
  ): Promise<unknown> {
    if (method === 'GET' && path === '/info') {
      // Multipart example updates are on in every current LangSmith; the SDK checks the flag.
      return {
        version: '0.16.40',
        instance_flags: { dataset_examples_multipart_enabled: true },
        batch_ingest_config: {},
      };
    }
    if (method === 'GET' && path === '/datasets') return this.listDatasets(params);
    if (method === 'GET' && path === '/examples') return this.listExamples(params);
    if (method === 'GET' && path === '/sessions') return this.listSessions(params);
    if (method === 'POST' && path === '/api/v2/runs/query') return await this.queryRuns(body);
    const examples = /^(?:\/v1)?\/platform\/datasets\/([^/]+)\/examples$/.exec(path);
    if (method === 'PATCH' && examples) return this.updateExamples(examples[1] ?? '', body);
    if (method === 'POST' && path === '/sessions') return this.createSession(body);
    const session = /^\/sessions\/([^/]+)$/.exec(path);
    if (method === 'PATCH' && session) return this.updateSession(session[1] ?? '', body);
    if (method === 'POST' && path === '/runs') return this.postRun(body);
    if (method === 'POST' && path === '/feedback') return this.postFeedback(body);
    throw new HttpError(404, { detail: 'Not Found' });
  }

  private updateExamples(datasetId: string, body: unknown): unknown {
    const dataset = this.datasets.get(datasetId);
    if (!dataset) throw new HttpError(404, { detail: 'Dataset not found' });
    const parts = (body ?? {}) as Record<string, unknown>;
    const ids = Object.keys(parts).filter((k) => !k.includes('.'));
    for (const id of ids) {
      const index = dataset.examples.findIndex((e) => e.id === id);
      if (index < 0) throw new HttpError(404, { detail: `Example ${id} not found` });
      const update = parts[id] as { metadata?: Record<string, unknown> };
      const example = dataset.examples[index] as FakeExample;
      dataset.examples[index] = {
        ...example,
        ...(update.metadata ? { metadata: update.metadata } : {}),
      };
    }
    return { dataset_id: datasetId, count: ids.length, example_ids: ids };
  }

  private createSession(body: unknown): CreatedSession & { tenant_id: string; start_time: string } {
    const b = (body ?? {}) as Record<string, unknown>;
    const name = String(b.name ?? '');
    const taken =
      this.sessions.some((s) => s.name === name) ||
      [...this.projects.values()].some((p) => p.name === name);
    if (!name || taken) throw new HttpError(409, { detail: 'Session already exists.' });
    const datasetId = typeof b.reference_dataset_id === 'string' ? b.reference_dataset_id : null;
    if (datasetId !== null && !this.datasets.has(datasetId)) {
      throw new HttpError(404, { detail: 'Dataset not found' });
    }
    const session: CreatedSession = {
      id: randomUUID(),
      name,
      reference_dataset_id: datasetId,
      description: typeof b.description === 'string' ? b.description : null,
      extra: (b.extra as Record<string, unknown> | undefined) ?? null,
      end_time: null,
    };
    this.sessions.push(session);
    return { ...session, tenant_id: TENANT_ID, start_time: '2025-01-01T00:00:00.000000' };
  }

  private updateSession(id: string, body: unknown): unknown {
    const session = this.sessions.find((s) => s.id === id);
    if (!session) throw new HttpError(404, { detail: 'Session not found' });
    const b = (body ?? {}) as Record<string, unknown>;
    // Null fields are left as they are, as the API does.
    if (b.extra) session.extra = b.extra as Record<string, unknown>;
    if (typeof b.end_time === 'string') session.end_time = b.end_time;
    return { ...session, tenant_id: TENANT_ID };
  }

  private postRun(body: unknown): unknown {
    const run = (body ?? {}) as Record<string, unknown>;
    const session = this.sessions.find((s) => s.name === run.session_name);
    if (!session) throw new HttpError(404, { detail: 'Project not found' });
    this.postedRuns.push(run);
    return {};
  }

  private postFeedback(body: unknown): unknown {
    const feedback = (body ?? {}) as Record<string, unknown>;
    const known =
      this.postedRuns.some((r) => r.id === feedback.run_id) ||
      (feedback.run_id === null && this.sessions.some((s) => s.id === feedback.session_id));
    if (!known) throw new HttpError(404, { detail: 'Run not found' });
    this.feedback.push(feedback);
    return feedback;
  }

  private listDatasets(params: URLSearchParams): unknown[] {
    const name = params.get('name');
    const limit = pageLimit(params);
    return [...this.datasets.values()]
      .filter((d) => name === null || d.name === name)
      .slice(0, limit)
      .map((d) => ({
        id: d.id,
        name: d.name,
        description: null,
        created_at: CREATED,
        modified_at: CREATED,
        inputs_schema_definition: null,
        outputs_schema_definition: null,
        data_type: 'kv',
        tenant_id: TENANT_ID,
        example_count: d.examples.length,
        session_count: 0,
        last_session_start_time: null,
        metadata: null,
      }));
  }

  private listExamples(params: URLSearchParams): unknown[] {
    const dataset = this.datasets.get(params.get('dataset') ?? '');
    if (!dataset) throw new HttpError(404, { detail: 'Dataset not found' });
    const offset = Number(params.get('offset') ?? 0);
    const limit = pageLimit(params);
    return dataset.examples.slice(offset, offset + limit).map((e, i) => ({
      id: e.id,
      name: `#${(offset + i).toString(16)} @ ${dataset.name}`,
      dataset_id: dataset.id,
      created_at: CREATED,
      modified_at: CREATED,
      source_run_id: null,
      inputs: e.inputs,
      outputs: e.outputs ?? null,
      metadata: e.metadata ?? null,
      attachment_urls: null,
    }));
  }

  private listSessions(params: URLSearchParams): unknown[] {
    const name = params.get('name');
    return [...this.projects.values()]
      .filter((p) => name === null || p.name === name)
      .map((p) => ({
        id: p.id,
        name: p.name,
        description: null,
        start_time: '2025-01-01T00:00:00.000000',
        end_time: null,
        extra: null,
        tenant_id: TENANT_ID,
        reference_dataset_id: null,
        trace_tier: 'longlived',
      }));
  }

  private async queryRuns(body: unknown): Promise<{ items: unknown[]; next_cursor: string }> {
    const b = (body ?? {}) as Record<string, unknown>;
    const ids = b.project_ids;
    if (!Array.isArray(ids) || ids.length === 0) {
      throw new HttpError(422, { detail: 'project_ids or reference_dataset_id is required' });
    }
    if (this.options.queryLatencyMs) await sleep(this.options.queryLatencyMs);
    const min = b.min_start_time ? Date.parse(String(b.min_start_time)) : Date.now() - 86_400_000;
    const max = b.max_start_time ? Date.parse(String(b.max_start_time)) : Date.now();
    const view = b.is_root === undefined ? 'all' : b.is_root ? 'root' : 'child';
    const lists = ids.flatMap((id) => {
      const project = this.projects.get(String(id));
      return project ? [{ runs: project.runs[view], id: project.id }] : [];
    });
    // The API documents the bounds without saying whether they are inclusive; the fake takes
    // both as inclusive so a client that wants [start, end) must cut the end itself.
    const ranges = lists.map(({ runs, id }) => ({ runs, id, ...rangeOf(runs, min, max) }));
    const offset = b.cursor ? decodeCursor(String(b.cursor)) : 0;
    const size = Math.min(Number(b.page_size ?? MAX_LIMIT), MAX_LIMIT);
    const total = ranges.reduce((sum, r) => sum + r.to - r.from, 0);
    const page = pageOf(ranges, offset, size);
    const selects = Array.isArray(b.selects)
      ? b.selects.map((s) => String(s).toLowerCase())
      : ['id'];
    const next = offset + page.length < total ? encodeCursor(offset + page.length) : '';
    return {
      items: page.map(({ run, id }) => project(this.fullRun(run, id), selects)),
      next_cursor: next,
    };
  }

  private fullRun(run: FakeRun, projectId: string): Record<string, unknown> {
    const metadata = run.metadata ?? {};
    const key = THREAD_KEYS.map((k) => metadata[k]).find((v) => v !== undefined && v !== null);
    const threadId =
      this.options.deriveThreadId === false || key === undefined ? undefined : String(key);
    return {
      id: run.id,
      name: run.name ?? 'ChatModel',
      run_type: 'CHAIN',
      status: 'SUCCESS',
      start_time: micros(run.start_time),
      end_time: micros(new Date(Date.parse(run.start_time) + 1500).toISOString()),
      inputs: run.inputs ?? {},
      outputs: run.outputs ?? null,
      metadata,
      extra: { metadata, runtime: { sdk: 'langsmith-py', sdk_version: '0.4.0' } },
      thread_id: threadId,
      trace_id: run.id,
      is_root: run.is_root ?? true,
      parent_run_ids: [],
      project_id: projectId,
      dotted_order: `${run.start_time.replace(/[-:.]/g, '')}${run.id}`,
      tags: [],
    };
  }
}

interface ProjectRuns {
  readonly all: RunList;
  readonly root: RunList;
  readonly child: RunList;
}

function listOf(runs: readonly FakeRun[]): RunList {
  const sorted = runs
    .map((run) => ({ run, ms: Date.parse(run.start_time) }))
    .sort((x, y) => y.ms - x.ms || x.run.id.localeCompare(y.run.id));
  const starts = sorted.map((r) => r.ms);
  return {
    size: sorted.length,
    startMs: (k) => starts[k] as number,
    run: (k) => (sorted[k] as { run: FakeRun }).run,
  };
}

const emptyRuns = listOf([]);

function listedRuns(runs: readonly FakeRun[]): ProjectRuns {
  return {
    all: listOf(runs),
    root: listOf(runs.filter((r) => r.is_root ?? true)),
    child: listOf(runs.filter((r) => r.is_root === false)),
  };
}

/** The first index in [0, size) where `test` holds, `test` false then true along the list. */
function firstWhere(size: number, test: (k: number) => boolean): number {
  let lo = 0;
  let hi = size;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (test(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The runs started in [min, max] of a newest-first list: [from, to). */
const rangeOf = (runs: RunList, min: number, max: number) => ({
  from: firstWhere(runs.size, (k) => runs.startMs(k) <= max),
  to: firstWhere(runs.size, (k) => runs.startMs(k) < min),
});

/** `size` runs from `offset` across the projects' ranges, one project after another. */
function pageOf(
  ranges: readonly { runs: RunList; id: string; from: number; to: number }[],
  offset: number,
  size: number,
): { run: FakeRun; id: string }[] {
  const page: { run: FakeRun; id: string }[] = [];
  let skip = offset;
  for (const { runs, id, from, to } of ranges) {
    const length = to - from;
    if (skip >= length) {
      skip -= length;
      continue;
    }
    for (let k = from + skip; k < to && page.length < size; k++)
      page.push({ run: runs.run(k), id });
    skip = 0;
    if (page.length === size) break;
  }
  return page;
}

const WORDS = [
  'refund',
  'invoice',
  'login',
  'password',
  'export',
  'csv',
  'billing',
  'upgrade',
  'sso',
  'latency',
  'timeout',
  'webhook',
  'dashboard',
  'quota',
  'token',
  'deploy',
];

/** Deterministic words of about `bytes` characters, different for every `seed`. */
function words(seed: number, bytes: number): string {
  const out: string[] = [];
  let length = 0;
  let x = seed * 2654435761 + 1;
  while (length < bytes) {
    x = Math.imul(x ^ (x >>> 15), 2246822519) >>> 0;
    const word = WORDS[x % WORDS.length] as string;
    out.push(word);
    length += word.length + 1;
  }
  return out.join(' ');
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
/** Turns a thread has: 1 to 3, by its number. */
const turnsOf = (thread: number) => 1 + ((Math.imul(thread + 1, 2654435761) >>> 0) % 3);

/**
 * `spec.threads` threads of 1–3 turns a minute or two apart, their first turns spread evenly
 * over the window (all turns inside it). Only start times are kept; runs are made when paged.
 */
function generatedRuns(spec: GeneratedProject): RunList {
  const start = Date.parse(spec.start);
  const span = Date.parse(spec.end) - start;
  const runBytes = spec.runBytes ?? 3000;
  const gap = (turn: number) => turn * 90_000;
  const firstSpan = Math.max(1, span - gap(3));
  const owners: number[] = [];
  for (let thread = 0; thread < spec.threads; thread++) {
    for (let turn = 0; turn < turnsOf(thread); turn++) owners.push(thread * 4 + turn);
  }
  const ms = (owner: number) =>
    start + Math.floor((Math.floor(owner / 4) * firstSpan) / spec.threads) + gap(owner % 4);
  const id = (owner: number) =>
    `${hex(Math.floor(owner / 4), 8)}-0000-4000-8000-${hex(owner % 4, 12)}`;
  // Newest first, then by id: ids sort as their (thread, turn) numbers do.
  const order = Int32Array.from(owners).sort((x, y) => ms(y) - ms(x) || x - y);
  const starts = Float64Array.from(order, ms);
  return {
    size: order.length,
    startMs: (k) => starts[k] as number,
    run: (k) => {
      const owner = order[k] as number;
      const thread = Math.floor(owner / 4);
      const turn = owner % 4;
      return {
        id: id(owner),
        start_time: new Date(ms(owner)).toISOString(),
        inputs: {
          messages: [{ role: 'user', content: words(owner, Math.round(runBytes * 0.6)) }],
        },
        outputs: { answer: words(owner + 7, Math.round(runBytes * 0.4)) },
        metadata: { thread_id: `thread-${hex(thread, 8)}`, user: `user-${thread % 97}`, turn },
      };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function project(run: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(fields.filter((f) => run[f] !== undefined).map((f) => [f, run[f]]));
}

function pageLimit(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? MAX_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new HttpError(422, {
      detail: [{ loc: ['query', 'limit'], msg: 'ensure this value is less than or equal to 100' }],
    });
  }
  return limit;
}

const encodeCursor = (offset: number) =>
  Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
const decodeCursor = (cursor: string): number => {
  const value = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { o?: unknown };
  if (typeof value.o !== 'number') throw new HttpError(400, { detail: 'bad cursor' });
  return value.o;
};

/** Each part of a multipart body, JSON parts parsed (the SDK sends every part as JSON). */
async function multipartParts(raw: string, type: string): Promise<Record<string, unknown>> {
  const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  const parts: Record<string, unknown> = {};
  for (const [name, value] of form) {
    const text = typeof value === 'string' ? value : await value.text();
    parts[name] = JSON.parse(text);
  }
  return parts;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}
