import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { Client } from 'langsmith';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLangSmithClient,
  DEFAULT_LANGSMITH_ENDPOINT,
  LangSmithSourceError,
  loadDatasetSource,
  loadLangSmithSource,
  readLangSmithSettings,
} from '../../lib/sources/langsmith/index.js';
import { itemLabel } from '../../lib/sources/types.js';
import { type FakeExample, FakeLangSmith } from '../fakes/langsmith-server.js';

const KEY = 'test-key-not-real';
const WRONG_KEY = 'test-key-not-real-but-wrong';
const COUNT = 2_500;

const exampleId = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const examples: FakeExample[] = Array.from({ length: COUNT }, (_, i) => ({
  id: exampleId(i),
  inputs: { question: `question ${i}`, history: [{ role: 'user', content: `hi ${i}` }] },
  // Some examples have no reference output, as in real datasets.
  outputs: i % 7 === 0 ? null : { answer: `answer ${i}` },
  metadata: i % 3 === 0 ? null : { label: `topic-${i % 5}`, position: i },
}));

let fake: FakeLangSmith;
const client = (key = KEY) => new Client({ apiUrl: fake.url, apiKey: key });

beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  fake.addDataset('support-tickets', examples);
  fake.addDataset('other', [{ id: exampleId(99_999), inputs: { q: 'x' } }]);
});
afterAll(() => fake.close());
afterEach(() => {
  fake.requests.length = 0;
});

describe('loadDatasetSource', () => {
  it('loads every example through all pages, with ids, inputs, outputs and metadata intact', async () => {
    const loaded = await loadDatasetSource({ datasetName: 'support-tickets', client: client() });

    expect(loaded.description).toBe('LangSmith dataset "support-tickets"');
    expect(loaded.problems).toEqual([]);
    expect(loaded.items).toHaveLength(COUNT);
    expect(new Set(loaded.items.map((i) => i.id)).size).toBe(COUNT);
    loaded.items.forEach((item, i) => {
      const source = examples[i];
      expect(item.id).toBe(source?.id);
      expect(item.inputs).toEqual(source?.inputs);
      expect(item.outputs).toEqual(source?.outputs ?? undefined);
      expect(item.metadata).toEqual(source?.metadata ?? {});
    });
    expect(loaded.items.filter((i) => !('outputs' in i))).toHaveLength(Math.ceil(COUNT / 7));
    expect(itemLabel(loaded.items[1] as (typeof loaded.items)[number])).toBe('topic-1');
    expect(itemLabel(loaded.items[0] as (typeof loaded.items)[number])).toBeUndefined();

    // Pages of 100 until one comes back short; 2,500 is a multiple of 100, so the last is empty.
    const pages = fake.requestsTo('/examples');
    expect(pages.map((r) => Number(r.query.offset?.[0]))).toEqual(
      Array.from({ length: 26 }, (_, p) => p * 100),
    );
    expect(pages.every((r) => r.authorized && r.query.dataset?.length === 1)).toBe(true);
    expect(fake.requestsTo('/datasets')[0]?.query.name).toEqual(['support-tickets']);
  });

  it('names an unknown dataset in a clear error', async () => {
    const error = await loadDatasetSource({ datasetName: 'nope', client: client() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LangSmithSourceError);
    expect((error as Error).message).toMatch(/LangSmith dataset "nope" not found/);
    expect(inspect(error)).not.toContain(KEY);
    expect(fake.requestsTo('/examples')).toHaveLength(0);
  });

  it('says a rejected key was rejected without showing it', async () => {
    const error = await loadDatasetSource({
      datasetName: 'support-tickets',
      client: client(WRONG_KEY),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LangSmithSourceError);
    expect((error as Error).message).toMatch(/rejected the API key \(HTTP 401\)/);
    for (const text of [String(error), inspect(error, { depth: 10 }), JSON.stringify(error)]) {
      expect(text).not.toContain(WRONG_KEY);
      expect(text).not.toContain(KEY);
    }
    expect(fake.requests.every((r) => !r.authorized)).toBe(true);
  });

  it('scrubs the key from anything the server echoes back, cause included', async () => {
    fake.failNext('/datasets', 400, { body: { detail: `bad request; x-api-key was ${KEY}` } });
    const error = await loadDatasetSource({ datasetName: 'other', client: client() }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LangSmithSourceError);
    expect((error as Error).message).toMatch(/request failed while reading dataset "other".*400/);
    expect((error as Error).message).toContain('[redacted]');
    expect(inspect(error, { depth: 10 })).not.toContain(KEY);
  });
});

describe('createLangSmithClient', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-langsmith-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('tells the user which variable to set when there is no key', () => {
    expect(() => createLangSmithClient({}, dir)).toThrow(LangSmithSourceError);
    expect(() => createLangSmithClient({ LANGSMITH_API_KEY: ' ' }, dir)).toThrow(
      /set LANGSMITH_API_KEY \(or LANGCHAIN_API_KEY\)/,
    );
  });

  it('accepts LANGCHAIN_API_KEY and defaults to the SDK endpoint', () => {
    const settings = readLangSmithSettings({ LANGCHAIN_API_KEY: KEY }, dir);
    expect(settings).toEqual({
      apiKey: KEY,
      apiUrl: DEFAULT_LANGSMITH_ENDPOINT,
      workspaceId: undefined,
    });
    expect(
      readLangSmithSettings({ LANGCHAIN_API_KEY: 'x', LANGSMITH_API_KEY: KEY }, dir).apiKey,
    ).toBe(KEY);
  });

  it('reads a .env file in the working directory without overriding the environment', async () => {
    const envDir = await mkdtemp(join(dir, 'env-'));
    await writeFile(
      join(envDir, '.env'),
      `LANGSMITH_API_KEY=${KEY}\nLANGSMITH_ENDPOINT=${fake.url}\nLANGSMITH_WORKSPACE_ID=ws-1\n`,
    );
    const before = { ...process.env };

    const fromFile = createLangSmithClient({}, envDir);
    const loaded = await loadDatasetSource({ datasetName: 'other', client: fromFile });
    expect(loaded.items.map((i) => i.id)).toEqual([exampleId(99_999)]);
    expect(fake.requests.every((r) => r.authorized)).toBe(true);
    expect(readLangSmithSettings({}, envDir).workspaceId).toBe('ws-1');

    const overridden = createLangSmithClient({ LANGSMITH_API_KEY: WRONG_KEY }, envDir);
    await expect(loadDatasetSource({ datasetName: 'other', client: overridden })).rejects.toThrow(
      /rejected the API key/,
    );
    expect(process.env).toEqual(before);
  });
});

describe('loadLangSmithSource', () => {
  it('loads the dataset a config names', async () => {
    const loaded = await loadLangSmithSource(
      { dataset_name: 'other' },
      new Date('2025-07-20T00:00:00Z'),
      client(),
    );
    expect(loaded).toEqual({
      items: [{ id: exampleId(99_999), inputs: { q: 'x' }, metadata: {} }],
      problems: [],
      description: 'LangSmith dataset "other"',
    });
  });
});
