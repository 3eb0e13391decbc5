import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmbedderConfig } from '../../lib/config/index.js';
import { createApiEmbedder } from '../../lib/embed/api.js';
import {
  type ApiEmbedder,
  EMPTY_TEXT_PLACEHOLDER,
  estimateTokens,
} from '../../lib/embed/api-batching.js';
import { BedrockTitanEmbedder } from '../../lib/embed/bedrock-titan.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { embeddingsUrl, OpenAiCompatibleEmbedder } from '../../lib/embed/openai-compatible.js';
import { VoyageEmbedder } from '../../lib/embed/voyage.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import type { RetryOptions } from '../../lib/util/retry.js';
import {
  type FakeOptions,
  type FakeServer,
  fakeEmbedding,
  startBedrockServer,
  startOpenAiServer,
  startVoyageServer,
  TEST_AWS,
  TEST_KEY,
} from '../fakes/embedding-servers.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/** Retries that record their waits instead of sleeping. */
function quickRetry(attempts = 6) {
  const waits: number[] = [];
  const retry: RetryOptions = {
    attempts,
    random: () => 0,
    sleep: async (ms) => void waits.push(ms),
  };
  return { waits, retry };
}

const inputsOf = (server: FakeServer) =>
  server.requests.map((r) => ((r.body as { input: string[] }).input ?? []).length);
/** Batches run concurrently, so they may arrive in any order. */
const batchSizes = (server: FakeServer) => inputsOf(server).sort((a, b) => b - a);

type Make = (url: string, options?: { apiKey?: string; retry?: RetryOptions }) => ApiEmbedder;

interface Provider {
  readonly name: string;
  readonly start: (options?: FakeOptions) => Promise<FakeServer>;
  readonly make: Make;
  readonly dimensions: number;
  /** The texts a request carried. */
  readonly sent: (server: FakeServer) => string[];
}

const providers: Provider[] = [
  {
    name: 'Bedrock',
    start: startBedrockServer,
    make: (url, o = {}) =>
      new BedrockTitanEmbedder({
        endpoint: url,
        region: TEST_AWS.region,
        dimensions: 256,
        credentials: {
          accessKeyId: TEST_AWS.accessKeyId,
          secretAccessKey: o.apiKey ?? TEST_AWS.secretAccessKey,
        },
        retry: o.retry,
      }),
    dimensions: 256,
    sent: (s) => s.requests.map((r) => (r.body as { inputText: string }).inputText),
  },
  {
    name: 'Voyage',
    start: startVoyageServer,
    make: (url, o = {}) =>
      new VoyageEmbedder({ apiKey: o.apiKey ?? TEST_KEY, baseUrl: url, retry: o.retry }),
    dimensions: 1024,
    sent: (s) => s.requests.flatMap((r) => (r.body as { input: string[] }).input),
  },
  {
    name: 'OpenAI-compatible',
    start: startOpenAiServer,
    // A base that ends in /v1, the OpenAI SDK convention.
    make: (url, o = {}) =>
      new OpenAiCompatibleEmbedder({
        apiKey: o.apiKey ?? TEST_KEY,
        baseUrl: `${url}/v1`,
        dimensions: 512,
        retry: o.retry,
      }),
    dimensions: 512,
    sent: (s) => s.requests.flatMap((r) => (r.body as { input: string[] }).input),
  },
];

async function setUp(provider: Provider, fake: FakeOptions = {}, o = {}) {
  const server = await provider.start(fake);
  const embedder = provider.make(server.url, o);
  open.push(embedder, server);
  return { server, embedder };
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);
const norm = (v: Float32Array) => Math.sqrt(cosine(v, v));

describe.each(providers)('$name', (provider) => {
  it('returns unit vectors of the declared size, in input order, blanks included', async () => {
    const { server, embedder } = await setUp(provider);
    const texts = ['refund my order', 'login page broken', '', 'please refund my order', '  '];
    const progress: number[] = [];
    const vectors = await embedder.embed(texts, (done) => progress.push(done));
    expect(embedder.dimensions).toBe(provider.dimensions);
    expect(vectors).toHaveLength(texts.length);
    for (const [i, v] of vectors.entries()) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(provider.dimensions);
      expect(norm(v)).toBeCloseTo(1, 5);
      const expected = fakeEmbedding(texts[i]?.trim() || EMPTY_TEXT_PLACEHOLDER, v.length);
      expect(cosine(v, Float32Array.from(expected))).toBeCloseTo(1, 5);
    }
    const [refund, login, blank, refund2, blank2] = vectors as [
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
      Float32Array,
    ];
    expect(cosine(refund, refund2)).toBeGreaterThan(cosine(refund, login));
    expect(blank2).toEqual(blank);
    expect(provider.sent(server)).toContain(EMPTY_TEXT_PLACEHOLDER);
    expect(progress.at(-1)).toBe(texts.length);
    expect(embedder.id).toContain(String(provider.dimensions));
  });

  it('retries after 429 (honouring retry-after) and 500, then succeeds', async () => {
    const { waits, retry } = quickRetry();
    const { server, embedder } = await setUp(provider, {}, { retry });
    server.faults.push({ status: 429, retryAfter: '2' }, { status: 500 });
    const [vector] = await embedder.embed(['export to csv']);
    expect(vector).toHaveLength(provider.dimensions);
    expect(server.requests).toHaveLength(3);
    expect(waits[0]).toBe(2000);
    expect(waits).toHaveLength(2);
  });

  it('names the provider and status when retries run out', async () => {
    const { retry } = quickRetry(2);
    const { server, embedder } = await setUp(provider, {}, { retry });
    server.faults.push({ status: 500 }, { status: 500 }, { status: 500 });
    await expect(embedder.embed(['x'])).rejects.toThrow(
      new RegExp(`${provider.name.split('-')[0]}.*500`),
    );
    expect(server.requests).toHaveLength(2);
  });

  it('refuses a wrong key without retrying and without repeating the key', async () => {
    const { server, embedder } = await setUp(provider, {}, { apiKey: 'wrong-test-key-not-real' });
    const error = (await embedder.embed(['hello']).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(provider.name === 'Bedrock' ? /Bedrock.*403/ : /401/);
    expect(error.message).toContain(provider.name.split('-')[0]);
    expect(error.message).not.toContain('wrong-test-key-not-real');
    expect(server.requests).toHaveLength(1);
  });

  it('sends nothing for texts already in the CachedEmbedder', async () => {
    const { server, embedder } = await setUp(provider);
    const path = join(await mkdtemp(join(tmpdir(), 'clio-api-emb-')), 'e.jsonl');
    const cache = await JsonlCache.open(path, z.string());
    open.push(cache);
    const cached = new CachedEmbedder(embedder, cache);
    const first = await cached.embed(['a b c', 'd e f', 'a b c']);
    const sent = server.requests.length;
    expect(sent).toBeGreaterThan(0);
    const second = await cached.embed(['d e f', 'a b c']);
    expect(server.requests).toHaveLength(sent);
    expect(second).toEqual([first[1], first[0]]);
  });
});

describe('batching', () => {
  it('splits OpenAI requests at 2,048 inputs and Voyage requests at 1,000', async () => {
    const openai = await setUp(providers[2] as Provider);
    const texts = Array.from({ length: 2500 }, (_, i) => `ticket ${i}`);
    const vectors = await openai.embedder.embed(texts);
    expect(batchSizes(openai.server)).toEqual([2048, 452]);
    expect(
      cosine(
        vectors[2049] as Float32Array,
        Float32Array.from(fakeEmbedding(texts[2049] as string, 512)),
      ),
    ).toBeCloseTo(1, 5);

    const voyage = await setUp(providers[1] as Provider);
    await voyage.embedder.embed(texts.slice(0, 1001));
    expect(batchSizes(voyage.server)).toEqual([1000, 1]);
  });

  it('splits by estimated tokens within the per-request token budget', async () => {
    const voyage = await setUp(providers[1] as Provider);
    const long = (i: number) => `${i} ${'lorem ipsum dolor sit amet '.repeat(740)}`;
    const texts = Array.from({ length: 40 }, (_, i) => long(i));
    const perBatch = Math.floor(120_000 / estimateTokens(long(10)));
    const vectors = await voyage.embedder.embed(texts);
    expect(vectors).toHaveLength(40);
    expect(batchSizes(voyage.server)).toEqual([perBatch, perBatch, 40 - 2 * perBatch]);
  });

  it('the fakes refuse a request over the limits', async () => {
    const server = await startVoyageServer();
    open.push(server);
    const response = await fetch(`${server.url}/v1/embeddings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEST_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ input: Array(1001).fill('x'), model: 'voyage-3.5' }),
    });
    expect(response.status).toBe(400);
  });

  it('halves a batch the server calls too large (413)', async () => {
    const { server, embedder } = await setUp(providers[2] as Provider, {
      maxInputs: 100,
      limitStatus: 413,
    });
    const texts = Array.from({ length: 250 }, (_, i) => `row ${i}`);
    const vectors = await embedder.embed(texts);
    expect(inputsOf(server)).toEqual([250, 125, 63, 62, 125, 63, 62]);
    expect(
      cosine(vectors[200] as Float32Array, Float32Array.from(fakeEmbedding('row 200', 512))),
    ).toBeCloseTo(1, 5);
  });

  it('runs Bedrock one text a request, 8 at most at once, cutting over-long texts', async () => {
    const { server, embedder } = await setUp(providers[0] as Provider, { latencyMs: 15 });
    const texts = Array.from({ length: 20 }, (_, i) => `note ${i}`);
    texts.push('word '.repeat(12_000));
    const progress: number[] = [];
    await embedder.embed(texts, (done) => progress.push(done));
    expect(server.requests).toHaveLength(21);
    expect(server.maxInFlight).toBeGreaterThan(1);
    expect(server.maxInFlight).toBeLessThanOrEqual(8);
    expect(progress).toHaveLength(21);
    const sentLong =
      (server.requests.at(-1)?.body as { inputText?: string } | undefined)?.inputText ?? '';
    expect(sentLong.length).toBeLessThan(60_000);
    expect(estimateTokens(sentLong)).toBeLessThanOrEqual(8192);
    // close() drops the connections; a later call opens new ones.
    await embedder.close();
    await expect(embedder.embed(['again'])).resolves.toHaveLength(1);
  });
});

describe('createApiEmbedder', () => {
  const env = {
    VOYAGE_API_KEY: TEST_KEY,
    OPENAI_API_KEY: TEST_KEY,
    AWS_ACCESS_KEY_ID: TEST_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_AWS.secretAccessKey,
    AWS_REGION: TEST_AWS.region,
  };

  it('names the missing key variable', () => {
    expect(() => createApiEmbedder({ provider: 'voyage' }, {})).toThrow(/VOYAGE_API_KEY/);
    expect(() => createApiEmbedder({ provider: 'openai' }, {})).toThrow(/OPENAI_API_KEY/);
    expect(() => createApiEmbedder({ provider: 'offline' }, env)).toThrow(/not an API embedder/);
  });

  it('checks sizes up front', () => {
    expect(() => createApiEmbedder({ provider: 'bedrock', dimensions: 768 }, env)).toThrow(
      /256, 512 or 1024/,
    );
    expect(() => createApiEmbedder({ provider: 'openai', model: 'my-model' }, env)).toThrow(
      /embedder\.dimensions/,
    );
  });

  it.each([
    ['bedrock', startBedrockServer, 'bedrock/amazon.titan-embed-text-v2:0/1024'],
    ['voyage', startVoyageServer, 'voyage/voyage-3.5/1024'],
    ['openai', startOpenAiServer, 'openai@127.0.0.1:PORT/text-embedding-3-small/1536'],
  ] as const)('builds %s from the config and env', async (name, start, id) => {
    const server = await start();
    const config: EmbedderConfig = { provider: name, base_url: server.url };
    const embedder = createApiEmbedder(config, env);
    open.push(embedder, server);
    expect(embedder.id).toBe(id.replace('PORT', new URL(server.url).port));
    const [vector] = await embedder.embed(['hello world']);
    expect(vector).toHaveLength(embedder.dimensions);
  });

  it('maps base URLs by the OpenAI convention', () => {
    expect(embeddingsUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/embeddings');
    expect(embeddingsUrl('http://localhost:8000/')).toBe('http://localhost:8000/v1/embeddings');
    expect(embeddingsUrl('http://h/openai/v1/embeddings')).toBe('http://h/openai/v1/embeddings');
  });
});
