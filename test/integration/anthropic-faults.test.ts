import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import type { TokenUsage } from '../../lib/llm/types.js';
import {
  cachedSummary,
  type SummarizeResult,
  summarizeItems,
} from '../../lib/pipeline/summarize.js';
import type { Item } from '../../lib/sources/types.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';

/**
 * The fault-injection run: a fifth of all replies fail (throttling, overload, server
 * errors, dropped connections, tool input that fails the schema) and a few items can never be
 * summarized. Every item must end up summarized or failed with a reason, exactly once, and a
 * restart must pay only for the failed ones.
 */

const N = 500;
// The model can never summarize these: its every reply for them fails the schema.
const POISON = new Set(['i7', 'i123', 'i321', 'i499']);
const items: Item[] = Array.from({ length: N }, (_, i) => ({
  id: `i${i}`,
  inputs: { question: `question number ${i} about ${['billing', 'login', 'export'][i % 3]}` },
  metadata: {},
}));
const options = {
  template: 'Summarize: {{example.inputs.question}}',
  partitions: null,
  concurrency: 16,
};

let dir = '';
let fake: FakeAnthropic;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-faults-'));
  fake = await startFakeAnthropic({
    seed: 7,
    faults: { rate_limit: 0.05, overloaded: 0.05, api_error: 0.04, malformed: 0.03, drop: 0.03 },
    answer: (r) => {
      const id = /question number (\d+)/.exec(r.user)?.[1];
      return POISON.has(`i${id}`) ? { summary: '' } : { summary: `asked about item ${id}` };
    },
  });
});
afterAll(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(): Promise<SummarizeResult & { requests: number; usage: TokenUsage }> {
  const cache = await JsonlCache.open(join(dir, 'summaries.jsonl'), cachedSummary);
  const llm = new AnthropicLlm({
    apiKey: 'test-key-not-real',
    baseURL: fake.url,
    // retry-after says a second; a test caps every wait at a few milliseconds.
    retry: { baseMs: 1, maxMs: 3 },
  });
  const before = fake.received.length;
  try {
    const result = await summarizeItems(items, { llm, cache }, options);
    return {
      ...result,
      requests: fake.received.length - before,
      usage: llm.ledger.summary().usage,
    };
  } finally {
    await cache.close();
  }
}

const ids = (list: readonly { id: string }[]) => list.map((x) => x.id);

describe('summarizeItems against a faulty Anthropic API', () => {
  let first: SummarizeResult & { requests: number; usage: TokenUsage };

  it('accounts for every item exactly once, failures with their reasons', async () => {
    first = await run();
    const done = first.summarized.map((s) => s.item.id);
    const failed = ids(first.failures);
    expect(done.length + failed.length).toBe(N);
    expect(new Set([...done, ...failed]).size).toBe(N);
    expect(new Set(failed)).toEqual(POISON);
    for (const failure of first.failures) {
      expect(failure.stage).toBe('summarize');
      expect(failure.reason).toMatch(
        /no valid reply .* in 3 attempts: the reply did not match the expected shape: `summary`/,
      );
    }
    for (const s of first.summarized)
      expect(s.summary).toBe(`asked about item ${s.item.id.slice(1)}`);

    // The faults really happened, every kind of them, and were all retried through.
    for (const kind of ['rate_limit', 'overloaded', 'api_error', 'malformed', 'drop'] as const) {
      expect(fake.counts[kind]).toBeGreaterThan(0);
    }
    const faults = first.requests - fake.counts.ok;
    expect(faults / first.requests).toBeGreaterThan(0.15);
    // Usage counts the requests that were answered (not dropped or refused).
    const answered = fake.counts.ok + fake.counts.malformed;
    expect(first.usage.requests).toBeLessThanOrEqual(answered);
    expect(first.usage.requests).toBeGreaterThanOrEqual(N - POISON.size);
    expect(first.usage).toEqual(fake.billed);
  });

  it('on restart reuses every finished summary and asks only for the failed items', async () => {
    const second = await run();
    expect(second.reused).toBe(N - POISON.size);
    expect(new Set(ids(second.failures))).toEqual(POISON);
    const asked = fake.received.slice(-second.requests).map((r) => JSON.stringify(r.body.messages));
    for (const body of asked) expect(body).toMatch(/question number (7|123|321|499) /);
    expect(second.summarized.map((s) => s.summary)).toEqual(first.summarized.map((s) => s.summary));
  });
});
