import { inspect } from 'node:util';
import { Client } from 'langsmith';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  LangSmithSourceError,
  loadLangSmithSource,
  loadThreadsSource,
  MAX_TURNS,
  type Turn,
  threadIdOf,
} from '../../lib/sources/langsmith/index.js';
import type { Item } from '../../lib/sources/types.js';
import { FakeLangSmith, type FakeRun } from '../fakes/langsmith-server.js';

const KEY = 'test-key-not-real';
const T0 = Date.parse('2025-07-19T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const window = { start: new Date(T0), end: new Date(T0 + HOUR) };
const QUERY = '/api/v2/runs/query';

let seq = 0;
const runId = () => `10000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

/** A chat turn: its inputs carry the whole history so far, as chat apps log them. */
function turn(
  thread: Record<string, string>,
  time: number,
  n: number,
  extra: Partial<FakeRun> = {},
): FakeRun {
  const messages = Array.from({ length: n }, (_, i) => ({ role: 'user', content: `msg ${i + 1}` }));
  return {
    id: runId(),
    start_time: at(time),
    inputs: { messages },
    outputs: { answer: `reply ${n}` },
    metadata: { ...thread, user: 'u1' },
    ...extra,
  };
}

const A = { session_id: 'thread-a' };
const B = { conversation_id: 'thread-b' };
const C = { thread_id: 'thread-c' };
const chatRuns: FakeRun[] = [
  turn(B, 0, 1), // exactly at start: included
  turn(A, 5 * MIN, 1),
  turn(A, 6 * MIN, 1, { is_root: false, name: 'llm-child' }),
  turn(A, 10 * MIN, 2),
  turn(B, 15 * MIN, 2),
  turn(A, 20 * MIN, 3),
  turn(C, 40 * MIN, 1),
  turn(A, HOUR, 4), // exactly at end: excluded
  turn(B, -1, 9), // a millisecond before start: excluded
];
const runAt = (time: number) =>
  chatRuns.find((r) => r.start_time === at(time) && r.is_root !== false);

const plainRuns: FakeRun[] = Array.from({ length: 250 }, (_, i) => ({
  id: runId(),
  name: 'agent',
  start_time: at((i * HOUR) / 250),
  inputs: { question: `q${i}` },
  outputs: i % 10 === 0 ? null : { answer: `a${i}` },
  metadata: { label: `kind-${i % 3}` },
}));

// Every 7 minutes across [-1h, 3h), plus runs exactly on the window edges; half in threads.
const edgeTimes = [0, HOUR, 2 * HOUR];
const windowRuns: FakeRun[] = [
  ...Array.from({ length: 35 }, (_, i) => -HOUR + i * 7 * MIN),
  ...edgeTimes,
].map((time, i) => turn(i % 2 ? { session_id: `w-${i % 4}` } : {}, time, 1));

const longThread: FakeRun[] = Array.from({ length: 60 }, (_, i) =>
  turn({ session_id: 'long' }, i * 30_000, i + 1),
);

let fake: FakeLangSmith;
const client = (key = KEY) => new Client({ apiUrl: fake.url, apiKey: key });

beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  fake.addProject('chat-app', chatRuns);
  fake.addProject('plain', plainRuns);
  fake.addProject('windows', windowRuns);
  fake.addProject('long-chat', longThread);
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
});

/** The windows the queries asked for: contiguous sub-windows that cover `covering` exactly. */
function queriedWindows(covering: { start: Date; end: Date }) {
  const bodies = fake.requestsTo(QUERY).map((r) => r.body as Record<string, unknown>);
  const first = bodies.filter((b) => b.cursor === undefined);
  const spans = first
    .map((b) => [String(b.min_start_time), String(b.max_start_time)] as const)
    .sort(([a], [b]) => Date.parse(a) - Date.parse(b));
  expect(spans[0]?.[0]).toBe(covering.start.toISOString());
  expect(spans.at(-1)?.[1]).toBe(covering.end.toISOString());
  expect(spans.slice(1).map(([start]) => start)).toEqual(spans.slice(0, -1).map(([, end]) => end));
  return { bodies, spans };
}

const byId = (items: Item[]) => new Map(items.map((i) => [i.id, i]));
const turnsOf = (item: Item | undefined) => (item?.metadata.turns ?? []) as Turn[];
const runIdsOf = (items: Item[]) =>
  items.flatMap((i) => (i.metadata.turns ? turnsOf(i).map((t) => t.run_id) : [i.id]));

describe('loadThreadsSource', () => {
  it('groups root runs into threads with the latest turn as inputs/outputs and ordered turns', async () => {
    const loaded = await loadThreadsSource({ projectName: 'chat-app', window, client: client() });
    const items = byId(loaded.items);
    expect(loaded.items.map((i) => i.id)).toEqual(['thread-b', 'thread-a', 'thread-c']);
    expect(loaded.problems).toEqual([]);
    expect(loaded.description).toBe(
      'LangSmith project "chat-app", root runs in [2025-07-19T00:00:00.000Z, 2025-07-19T01:00:00.000Z)',
    );

    const a = items.get('thread-a');
    const latest = runAt(20 * MIN);
    expect(a?.inputs).toEqual(latest?.inputs);
    expect(a?.outputs).toEqual(latest?.outputs);
    expect(a?.metadata).toMatchObject({
      thread_id: 'thread-a',
      run_count: 3,
      user: 'u1',
      session_id: 'thread-a',
    });
    expect(turnsOf(a).map((t) => t.start_time)).toEqual([at(5 * MIN), at(10 * MIN), at(20 * MIN)]);
    expect(turnsOf(a)[0]).toEqual({
      run_id: runAt(5 * MIN)?.id,
      start_time: at(5 * MIN),
      inputs: runAt(5 * MIN)?.inputs,
      outputs: runAt(5 * MIN)?.outputs,
    });
    expect(items.get('thread-b')?.metadata.run_count).toBe(2);
    expect(items.get('thread-c')?.metadata.run_count).toBe(1);

    // The hour is paged in sub-windows side by side, which cover it exactly.
    const { bodies, spans } = queriedWindows(window);
    expect(spans.length).toBeGreaterThan(1);
    for (const body of bodies) {
      expect(body).toMatchObject({ is_root: true });
      expect(body.project_ids).toHaveLength(1);
      expect(body.selects).toEqual(
        expect.arrayContaining(['INPUTS', 'OUTPUTS', 'METADATA', 'START_TIME']),
      );
      expect(body).not.toHaveProperty('filter');
    }
  });

  it('reads thread keys from metadata when the server sends no thread_id', async () => {
    const bare = await FakeLangSmith.start({ apiKey: KEY, deriveThreadId: false });
    try {
      bare.addProject('chat-app', chatRuns);
      const c = new Client({ apiUrl: bare.url, apiKey: KEY });
      const loaded = await loadThreadsSource({ projectName: 'chat-app', window, client: c });
      expect(loaded.items.map((i) => [i.id, i.metadata.run_count])).toEqual([
        ['thread-b', 2],
        ['thread-a', 3],
        ['thread-c', 1],
      ]);
    } finally {
      await bare.close();
    }
  });

  it('falls back to one item per root run, paging through every cursor', async () => {
    // One window, so its 250 runs take three pages of one cursor.
    const loaded = await loadThreadsSource({
      projectName: 'plain',
      window,
      client: client(),
      paging: { subWindows: 1 },
    });
    expect(loaded.items).toHaveLength(250);
    expect(loaded.items.map((i) => i.id)).toEqual(plainRuns.map((r) => r.id));
    const [first, tenth] = [loaded.items[0], loaded.items[1]];
    expect(first).toEqual({
      id: plainRuns[0]?.id,
      inputs: { question: 'q0' },
      metadata: { label: 'kind-0', run_name: 'agent', start_time: at(0) },
    });
    expect(tenth?.outputs).toEqual({ answer: 'a1' });

    const pages = fake.requestsTo(QUERY).map((r) => r.body as Record<string, unknown>);
    expect(pages).toHaveLength(3);
    expect(pages[0]).not.toHaveProperty('cursor');
    expect(typeof pages[1]?.cursor).toBe('string');
    expect(pages[2]?.cursor).not.toBe(pages[1]?.cursor);
  });

  it('keeps only the latest turns of a long thread', async () => {
    const loaded = await loadThreadsSource({ projectName: 'long-chat', window, client: client() });
    const [thread] = loaded.items;
    expect(thread?.metadata.run_count).toBe(60);
    expect(turnsOf(thread)).toHaveLength(MAX_TURNS);
    expect(turnsOf(thread).at(-1)?.run_id).toBe(longThread.at(-1)?.id);
    expect(turnsOf(thread)[0]?.run_id).toBe(longThread[60 - MAX_TURNS]?.id);
    expect(thread?.inputs).toEqual(longThread.at(-1)?.inputs);
  });

  it('covers every run exactly once across consecutive half-open windows', async () => {
    const [a, b, c] = edgeTimes.map((t) => new Date(T0 + t)) as [Date, Date, Date];
    const first = await loadThreadsSource({
      projectName: 'windows',
      window: { start: a, end: b },
      client: client(),
    });
    const second = await loadThreadsSource({
      projectName: 'windows',
      window: { start: b, end: c },
      client: client(),
    });
    const ids1 = runIdsOf(first.items);
    const ids2 = runIdsOf(second.items);
    const expected = (lo: number, hi: number) =>
      windowRuns
        .filter((r) => Date.parse(r.start_time) >= lo && Date.parse(r.start_time) < hi)
        .map((r) => r.id);

    expect(new Set(ids1)).toEqual(new Set(expected(a.getTime(), b.getTime())));
    expect(new Set(ids2)).toEqual(new Set(expected(b.getTime(), c.getTime())));
    expect(ids1.filter((id) => ids2.includes(id))).toEqual([]);
    expect(ids1.length + ids2.length).toBe(new Set([...ids1, ...ids2]).size);
    const onEdge = (t: number) => windowRuns.find((r) => r.start_time === at(t))?.id;
    expect(ids1).toContain(onEdge(0));
    expect(ids1).not.toContain(onEdge(HOUR));
    expect(ids2).toContain(onEdge(HOUR));
    expect(ids2).not.toContain(onEdge(2 * HOUR));
  });

  it('forwards filter_string to the API as it is', async () => {
    const filterString = 'and(eq(run_type, "chain"), gt(latency, 1))';
    const loaded = await loadThreadsSource({
      projectName: 'chat-app',
      window,
      filterString,
      client: client(),
    });
    const { bodies } = queriedWindows(window);
    expect(new Set(bodies.map((b) => b.filter))).toEqual(new Set([filterString]));
    expect(loaded.description).toContain(`matching ${filterString}`);
  });

  it('rides out throttling with the SDK retry', async () => {
    const paging = { subWindows: 4, concurrency: 2 };
    const calm = await loadThreadsSource({
      projectName: 'plain',
      window,
      client: client(),
      paging,
    });
    const pages = fake.requestsTo(QUERY).length;
    fake.requests.length = 0;
    fake.failNext(QUERY, 429, { headers: { 'retry-after-ms': '5' } });
    const loaded = await loadThreadsSource({
      projectName: 'plain',
      window,
      client: client(),
      paging,
    });
    expect(loaded.items).toEqual(calm.items);
    expect(fake.requestsTo(QUERY)).toHaveLength(pages + 1);
  });

  it('names an unknown project, and says a rejected key was rejected without showing it', async () => {
    await expect(
      loadThreadsSource({ projectName: 'nope', window, client: client() }),
    ).rejects.toThrow(/LangSmith project "nope" not found/);
    const wrong = 'test-key-not-real-wrong';
    const error = await loadThreadsSource({
      projectName: 'chat-app',
      window,
      client: client(wrong),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LangSmithSourceError);
    expect((error as Error).message).toMatch(/rejected the API key \(HTTP 401\)/);
    expect(inspect(error, { depth: 10 })).not.toContain(wrong);
  });

  it('explains a server without the runs query API', async () => {
    fake.failNext(QUERY, 404, { body: { detail: 'Not Found' } });
    await expect(
      loadThreadsSource({ projectName: 'chat-app', window, client: client() }),
    ).rejects.toThrow(/no runs query API.*0\.16/);
  });
});

describe('threadIdOf', () => {
  it("prefers the server's thread_id, then metadata, then extra.metadata, in LangSmith's key order", () => {
    expect(threadIdOf({ thread_id: 's', metadata: { session_id: 'm' } })).toBe('s');
    expect(threadIdOf({ metadata: { conversation_id: 'c', session_id: 'm' } })).toBe('m');
    expect(threadIdOf({ extra: { metadata: { thread_id: 42 } } })).toBe('42');
    expect(threadIdOf({ metadata: { session_id: '' }, extra: { metadata: {} } })).toBeUndefined();
  });
});

describe('loadLangSmithSource', () => {
  it('resolves the config window from a fixed clock and returns LoadedItems', async () => {
    const now = new Date(T0 + HOUR);
    const loaded = await loadLangSmithSource(
      { project_name: 'chat-app', hours: 1, filter_string: 'eq(name, "ChatModel")' },
      now,
      client(),
    );
    expect(loaded.items.map((i) => i.id)).toEqual(['thread-b', 'thread-a', 'thread-c']);
    expect(loaded.problems).toEqual([]);
    const { bodies } = queriedWindows({ start: new Date(T0), end: new Date(T0 + HOUR) });
    for (const body of bodies) expect(body.filter).toBe('eq(name, "ChatModel")');
    fake.requests.length = 0;

    const explicit = await loadLangSmithSource(
      { project_name: 'chat-app', start_time: at(10 * MIN), end_time: at(20 * MIN) },
      now,
      client(),
    );
    expect(explicit.items.map((i) => [i.id, i.metadata.run_count])).toEqual([
      ['thread-a', 1],
      ['thread-b', 1],
    ]);
  });
});
