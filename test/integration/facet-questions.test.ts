import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FacetSpecs } from '../../lib/config/facets.js';
import { AnthropicLlm, createAnthropicBatches } from '../../lib/llm/anthropic.js';
import { cachedSummary, summarizeItems } from '../../lib/pipeline/summarize.js';
import { summarizeItemsInBatch } from '../../lib/pipeline/summarize-batch.js';
import type { Item } from '../../lib/sources/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';

const items: Item[] = Array.from({ length: 24 }, (_, i) => ({
  id: `t${i}`,
  inputs: { text: `ticket ${i}: my invoice was charged twice` },
  metadata: {},
}));
const facets: FacetSpecs = {
  mood: { question: 'How does the user feel?', type: 'category', values: ['Happy', 'Angry'] },
  topic: { question: 'What is the ticket about?', type: 'category' },
  effort: { question: 'How much work to resolve, 1-5?', type: 'scale', min: 1, max: 5 },
};
const options = { template: '{{example.inputs.text}}', partitions: null, concurrency: 4 };

let dir = '';
let fake: FakeAnthropic;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-facets-'));
  fake = await startFakeAnthropic({ answer: 'random', seed: 7 });
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

const llm = () => new AnthropicLlm({ apiKey: 'test-key-not-real', baseURL: fake.url });
async function summarize(asked: FacetSpecs) {
  const cache = await JsonlCache.open(join(dir, 'summaries.jsonl'), cachedSummary);
  try {
    return await summarizeItems(items, { llm: llm(), cache }, { ...options, facets: asked });
  } finally {
    await cache.close();
  }
}

describe('question facets in the summary call', () => {
  it('asks every facet in the one summary call and keeps only valid, normalized answers', async () => {
    const result = await summarize(facets);
    // Random replies may be blank, which is retried and, three times blank, a failure.
    expect(result.failures.every((f) => f.code === 'invalid-reply')).toBe(true);
    expect(result.summarized.length + result.failures.length).toBe(items.length);
    expect(result.summarized.length).toBeGreaterThan(items.length / 2);
    const body = JSON.stringify(fake.received[0]?.body);
    expect(body).toContain('How does the user feel?');
    expect(body).toContain('(a whole number from 1 to 5)');
    for (const { facets: answers } of result.summarized) {
      expect(Object.keys(answers ?? {}).sort()).toEqual(['effort', 'mood', 'topic']);
      expect(['Happy', 'Angry']).toContain(answers?.mood);
      expect([1, 2, 3, 4, 5]).toContain(answers?.effort);
      const topic = String(answers?.topic);
      expect(topic).toBe(topic.toLowerCase().replace(/\s+/g, ' ').trim());
      expect(topic.length).toBeGreaterThan(0);
    }
  });

  it('caches answers with the summary; a facet change asks again', async () => {
    const first = await summarize(facets);
    const asked = fake.received.length;
    const again = await summarize(facets);
    expect(again.reused).toBe(first.summarized.length);
    expect(again.summarized.every((s) => s.facets?.effort !== undefined)).toBe(true);
    const retried = fake.received.length - asked;
    expect(retried).toBeLessThanOrEqual(3 * first.failures.length);
    const narrower = {
      ...facets,
      effort: { question: 'Work, 1-3?', type: 'scale', min: 1, max: 3 },
    };
    const changed = await summarize(narrower as FacetSpecs);
    expect(changed.reused).toBe(0);
    expect(fake.received.length - asked - retried).toBeGreaterThanOrEqual(items.length);
    expect(changed.summarized.every((s) => [1, 2, 3].includes(Number(s.facets?.effort)))).toBe(
      true,
    );
  });

  it('without facets, sends no facets property and keeps the earlier cache keys', async () => {
    const result = await summarize({});
    expect(result.summarized.every((s) => s.facets === undefined)).toBe(true);
    expect(JSON.stringify(fake.received[0]?.body)).not.toContain('"facets"');
  });

  it('Message Batches ask the same facets and share the cache with the synchronous calls', async () => {
    const cache = await JsonlCache.open(join(dir, 'summaries.jsonl'), cachedSummary);
    const client = createAnthropicBatches({ apiKey: 'test-key-not-real', baseURL: fake.url });
    const batched = await summarizeItemsInBatch(
      items,
      { client, cache, store: new FsStore(dir) },
      { ...options, facets, pollIntervalMs: 1 },
    ).finally(() => cache.close());
    expect(fake.batchCreates).toBeGreaterThan(0);
    expect(batched.summarized.length).toBeGreaterThan(items.length / 2);
    for (const { facets: answers } of batched.summarized) {
      expect(['Happy', 'Angry']).toContain(answers?.mood);
      expect([1, 2, 3, 4, 5]).toContain(answers?.effort);
    }
    const sync = await summarize(facets);
    expect(sync.reused).toBe(batched.summarized.length);
  });
});
