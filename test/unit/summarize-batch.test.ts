import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MessageBatch } from '@anthropic-ai/sdk/resources/messages';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AnthropicLlm,
  createAnthropicBatches,
  createAnthropicClient,
} from '../../lib/llm/anthropic.js';
import {
  type BatchesClient,
  type BatchRequest,
  type ClaudeBatches,
  splitBatches,
} from '../../lib/llm/batch.js';
import { cachedSummary, summarizeItems } from '../../lib/pipeline/summarize.js';
import {
  BATCH_STATE_KEY,
  type SummarizeBatchOptions,
  summarizeItemsInBatch,
} from '../../lib/pipeline/summarize-batch.js';
import type { Item } from '../../lib/sources/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';

const items: Item[] = Array.from({ length: 60 }, (_, i) => ({
  id: `item/${i} with spaces`, // not a valid custom_id: the cache key is used instead
  inputs: { text: `message ${i}` },
  metadata: {},
}));
const options: SummarizeBatchOptions = {
  template: '{{example.inputs.text}}',
  partitions: null,
  concurrency: 4,
  pollIntervalMs: 1,
  limits: { maxRequests: 25, maxBytes: 10_000_000 },
};

let dir = '';
let fake: FakeAnthropic;
const clientOptions = () => ({ apiKey: 'test-key-not-real', baseURL: fake.url });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-batch-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

/** The real client, with batch status checks replaced (to simulate a crash while polling). */
function batchesWith(retrieve: (id: string) => Promise<MessageBatch>): ClaudeBatches {
  const sdk = createAnthropicClient(clientOptions());
  const client: BatchesClient = {
    messages: {
      batches: {
        create: (params) => sdk.messages.batches.create(params),
        retrieve,
        results: (id) => sdk.messages.batches.results(id),
      },
    },
  };
  return createAnthropicBatches(clientOptions(), client);
}

async function run(client: ClaudeBatches = createAnthropicBatches(clientOptions())) {
  const cache = await JsonlCache.open(join(dir, 'cache/summaries.jsonl'), cachedSummary);
  const store = new FsStore(dir);
  try {
    return await summarizeItemsInBatch(items, { client, cache, store }, options);
  } finally {
    await cache.close();
  }
}

const state = async () =>
  JSON.parse((await new FsStore(dir).read(BATCH_STATE_KEY)) ?? 'null') as {
    batches: { id: string; status: string; keys: string[] }[];
  };

describe('summarizeItemsInBatch', () => {
  it('submits, polls and folds results; failures keep their reasons', async () => {
    fake = await startFakeAnthropic({
      pollsUntilEnded: 3,
      batchFaults: { errored: 0.1, expired: 0.05, malformed: 0.05 },
    });
    const client = createAnthropicBatches(clientOptions());
    const result = await run(client);

    expect(fake.batchCreates).toBe(3); // 60 requests, at most 25 a batch
    const done = result.summarized.map((s) => s.item.id);
    const failed = result.failures.map((f) => f.id);
    expect(done.length + failed.length).toBe(items.length);
    expect(new Set([...done, ...failed]).size).toBe(items.length);
    expect(failed.length).toBeGreaterThan(0);
    const reasons = result.failures.map((f) => f.reason).join('\n');
    expect(reasons).toMatch(/the request failed: api_error/);
    expect(reasons).toMatch(/expired before it was processed/);
    expect(reasons).toMatch(/the reply did not match the expected shape: `summary` missing/);
    for (const s of result.summarized)
      expect(s.summary).toBe(`message ${s.item.id.split(/[/ ]/)[1]}`);
    // Billed: every succeeded result (valid or not), none of the errored or expired ones.
    const billed = client.ledger.summary().usage;
    expect(billed.requests).toBe(
      done.length + reasons.split('did not match the expected shape').length - 1,
    );
    expect(billed).toEqual(fake.billed);

    const saved = await state();
    expect(saved.batches.map((b) => b.status)).toEqual(['folded', 'folded', 'folded']);
    for (const key of saved.batches.flatMap((b) => b.keys)) expect(key).toMatch(/^[0-9a-f]{64}$/);

    // The next run reuses every summary and submits only the failed items, in one batch.
    const again = await run();
    expect(again.reused).toBe(done.length);
    expect(fake.batchCreates).toBe(4);
    const [last] = [...fake.batches.values()].slice(-1);
    expect(last?.lines).toHaveLength(failed.length);
  });

  it('resumes a persisted batch after a crash instead of submitting it again', async () => {
    fake = await startFakeAnthropic({ pollsUntilEnded: 2 });
    // A process killed while polling: the batches exist and their ids are on disk.
    await expect(run(batchesWith(() => Promise.reject(new Error('killed'))))).rejects.toThrow(
      'killed',
    );
    expect(fake.batchCreates).toBe(3);
    const submitted = (await state()).batches.map((b) => b.status);
    expect(submitted).toEqual(['submitted', 'submitted', 'submitted']);

    const resumed = await run();
    expect(fake.batchCreates).toBe(3);
    expect(resumed.summarized).toHaveLength(items.length);
    expect(resumed.failures).toEqual([]);

    // Summaries made in batch mode are the synchronous provider's too: same id, same cache keys.
    const llm = new AnthropicLlm(clientOptions());
    expect(llm.id).toBe(createAnthropicBatches(clientOptions()).id);
    const cache = await JsonlCache.open(join(dir, 'cache/summaries.jsonl'), cachedSummary);
    const sync = await summarizeItems(items, { llm, cache }, options);
    await cache.close();
    expect(sync.reused).toBe(items.length);
    expect(fake.received).toHaveLength(0);
  });

  it('submits again the requests of a batch the API no longer has', async () => {
    fake = await startFakeAnthropic({ pollsUntilEnded: 1 });
    await expect(run(batchesWith(() => Promise.reject(new Error('killed'))))).rejects.toThrow(
      'killed',
    );
    fake.batches.clear(); // expired and deleted on the API's side
    const again = await run();
    expect(fake.batchCreates).toBe(6);
    expect(again.summarized).toHaveLength(items.length);
    expect((await state()).batches.map((b) => b.status)).toEqual(Array(6).fill('folded'));
  });
});

describe('splitBatches', () => {
  it('splits by request count and by bytes, in order', () => {
    const request = (i: number): BatchRequest => ({
      custom_id: `r${i}`,
      params: { model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x'.repeat(100) }] },
    });
    const requests = Array.from({ length: 10 }, (_, i) => request(i));
    const byCount = splitBatches(requests, { maxRequests: 4, maxBytes: 1e9 });
    expect(byCount.map((c) => c.length)).toEqual([4, 4, 2]);
    const size = Buffer.byteLength(JSON.stringify(request(0))) + 1;
    const byBytes = splitBatches(requests, { maxRequests: 100, maxBytes: 1024 + 3 * size });
    expect(byBytes.map((c) => c.length)).toEqual([3, 3, 3, 1]);
    expect(byBytes.flat().map((r) => r.custom_id)).toEqual(requests.map((r) => r.custom_id));
    expect(() => splitBatches(requests, { maxRequests: 100, maxBytes: 1000 })).toThrow(RangeError);
  });
});
