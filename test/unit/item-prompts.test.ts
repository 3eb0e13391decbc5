import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { maxPromptChars, modelProfile } from '../../lib/llm/models.js';
import { OFFLINE_MAX_PROMPT_CHARS, OfflineLlm } from '../../lib/llm/offline.js';
import type { Llm, LlmTask } from '../../lib/llm/types.js';
import { ItemPrompts } from '../../lib/pipeline/item-prompts.js';
import { type CachedSummary, summarizeItems, summaryKeyFor } from '../../lib/pipeline/summarize.js';
import { renderSummaryPrompt } from '../../lib/prompts/render.js';
import type { SummarizeInput } from '../../lib/prompts/summarize.js';
import type { Item } from '../../lib/sources/types.js';
import type { RecordCache } from '../../lib/store/types.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';

const item = (id: string, inputs: unknown): Item => ({ id, inputs, metadata: {} });

function memoryCache(): RecordCache<CachedSummary> {
  const map = new Map<string, CachedSummary>();
  return {
    get: (key) => map.get(key),
    set: async (key, value) => void map.set(key, value),
    get size() {
      return map.size;
    },
    close: async () => {},
  };
}

/** An LLM that records the prompts it is sent and answers with their first words. */
function recordingLlm(maxChars: number): Llm & { prompts: string[] } {
  const offline = new OfflineLlm();
  const prompts: string[] = [];
  return {
    id: 'recording',
    generative: false,
    ledger: offline.ledger,
    prompts,
    promptBudget: () => ({ maxChars, reader: 'the test model' }),
    async run<I, O>(task: LlmTask<I, O>, input: I) {
      prompts.push((input as SummarizeInput).rendered.text);
      return offline.run(task, input);
    },
  };
}

const TEMPLATE =
  'Conversation:\n{{example.inputs.text}}\nNote: {{example.inputs.note}}\nSay what it is about.';

describe('a prompt longer than the model takes', () => {
  it('is cut in the inserted text, marked, and the template (with its instructions) is kept', () => {
    const text = 'word '.repeat(10_000);
    const out = renderSummaryPrompt(TEMPLATE, item('big', { text, note: 'short note' }), 2000);
    expect(out.text.length).toBeLessThanOrEqual(2000);
    expect(out.text).toMatch(/^Conversation:\nword word/);
    expect(out.text).toMatch(
      /\[… truncated \d+ characters\]\nNote: short note\nSay what it is about\.$/,
    );
    const cut = Number(/truncated (\d+) characters/.exec(out.text)?.[1]);
    expect(out.truncated).toBe(cut);
    expect(out.fullLength).toBe(
      renderSummaryPrompt(TEMPLATE, item('big', { text, note: 'short note' })).text.length,
    );
  });

  it('handles one enormous token (no spaces) and never splits a surrogate pair', () => {
    const out = renderSummaryPrompt(
      '{{example.inputs.text}}',
      item('emoji', { text: '😀'.repeat(400_000) }),
      1001,
    );
    expect(out.text.length).toBeLessThanOrEqual(1001);
    expect(out.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(out.text).toMatch(/^(?:😀)+\[… truncated \d+ characters\]$/u);
  });

  it('is left alone when it fits', () => {
    const out = renderSummaryPrompt(TEMPLATE, item('a', { text: 'hi', note: 'n' }), 2000);
    expect(out.truncated).toBeUndefined();
    expect(out.text).not.toContain('truncated');
  });

  it('is sent cut to the budget and named in a warning; the item is summarized', async () => {
    const llm = recordingLlm(5000);
    const items = [
      item('small', { text: 'refund please', note: 'n' }),
      item('huge', { text: `refund ${'x'.repeat(2_000_000)}`, note: 'n' }),
    ];
    const result = await summarizeItems(
      items,
      { llm, cache: memoryCache() },
      { template: TEMPLATE, partitions: null, concurrency: 2 },
    );
    expect(result.failures).toEqual([]);
    expect(result.summarized.map((s) => s.item.id).sort()).toEqual(['huge', 'small']);
    expect(Math.max(...llm.prompts.map((p) => p.length))).toBeLessThanOrEqual(5000);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^item "huge" \(2,000,\d{3} characters\): the summary prompt was longer than the test model takes \(5,000 characters\), so the longest inserted text was cut to fit, marked "\[… truncated N characters\]"$/,
      ),
    ]);
  });

  it('budgets come from the model table (context window) and the offline provider has its own', () => {
    const haiku = modelProfile('claude-haiku-5-5');
    expect(haiku.contextWindow).toBe(200_000);
    expect(maxPromptChars(haiku)).toBeLessThan(200_000 / haiku.tokenizerFactor);
    expect(new OfflineLlm().promptBudget()).toEqual({
      maxChars: OFFLINE_MAX_PROMPT_CHARS,
      reader: 'the offline provider',
    });
  });
});

describe('an oversized item against the Anthropic stand-in (which refuses prompts over 200k tokens)', () => {
  let fake: FakeAnthropic | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });

  it('is summarized, cut to the model’s budget, instead of failing on every run', async () => {
    fake = await startFakeAnthropic();
    const llm = new AnthropicLlm({ apiKey: 'test-key-not-real-0123456789', baseURL: fake.url });
    const huge = item('huge', { text: 'a'.repeat(3_000_000), note: 'n' });
    const result = await summarizeItems(
      [huge],
      { llm, cache: memoryCache() },
      { template: TEMPLATE, partitions: null, concurrency: 1 },
    );
    expect(result.failures).toEqual([]);
    expect(result.summarized).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^item "huge" .*longer than claude-haiku-5-5 takes/);
    expect(fake.counts.invalid_request).toBe(0);
  });

  it('a request the API refuses fails with the API’s sentence, not its serialized body', async () => {
    fake = await startFakeAnthropic();
    const llm = new AnthropicLlm({ apiKey: 'test-key-not-real-0123456789', baseURL: fake.url });
    const rendered = { text: 'b'.repeat(1_000_000), values: ['b'], missing: [] };
    const task = (await import('../../lib/prompts/summarize.js')).summarizeTask(null);
    const error = (await llm.run(task, { rendered, partitions: null }).catch((e) => e)) as Error;
    expect(error.message).toMatch(
      /request to claude-haiku-5-5 failed after 1 attempt: 400 invalid_request_error: prompt is too long: \d+ tokens > \d+ maximum$/,
    );
    expect(error.message).not.toContain('{');
  });
});

describe('an item the template takes no text from', () => {
  it('is skipped with its reason, whether the field is missing, blank or an empty container', () => {
    const prompts = new ItemPrompts('Text: {{example.inputs.text}}');
    const cases = [
      item('missing', { other: 'x' }),
      item('blank', { text: '  \n ' }),
      item('empty-object', { text: { messages: [] } }),
      item('null', { text: null }),
    ];
    const reasons = cases.map((c) => {
      const out = prompts.prepare(c);
      return 'skipped' in out ? out.skipped : undefined;
    });
    expect(reasons.map((r) => r?.code)).toEqual(Array(4).fill('empty-item'));
    expect(reasons[0]?.reason).toBe(
      'skipped: summary_prompt took no text from this item (it has no {{example.inputs.text}})',
    );
    expect(reasons[1]?.reason).toMatch(/the fields it names are empty/);
    expect('rendered' in prompts.prepare(item('ok', { text: 'hello' }))).toBe(true);
    expect('rendered' in prompts.prepare(item('zero', { text: 0 }))).toBe(true);
  });

  it('is never sent to the model nor clustered as "(no text)", even with a cached summary', async () => {
    const llm = recordingLlm(10_000);
    const cache = memoryCache();
    const items = [item('a', { text: 'a real request' }), item('b', { note: 'no text field' })];
    const options = { template: 'Text: {{example.inputs.text}}', partitions: null, concurrency: 1 };
    // What an older version cached for the empty item: filler that must not reach the clusters.
    await cache.set(summaryKeyFor(llm.id, options)(items[1] as Item), {
      summary: '(no text)',
      partition: 'Default',
    });
    const first = await summarizeItems(items, { llm, cache }, options);
    expect(first.summarized.map((s) => s.item.id)).toEqual(['a']);
    expect(first.failures).toEqual([
      expect.objectContaining({ stage: 'summarize', id: 'b', code: 'empty-item' }),
    ]);
    expect(llm.prompts).toEqual(['Text: a real request']);
    expect(JSON.stringify(first)).not.toContain('(no text)');
  });

  it('the offline provider skips an item with no words (only links) instead of "(no text)"', async () => {
    const result = await summarizeItems(
      [item('links', { text: 'https://example.com/a https://example.com/b' })],
      { llm: new OfflineLlm(), cache: memoryCache() },
      { template: '{{example.inputs.text}}', partitions: null, concurrency: 1 },
    );
    expect(result.summarized).toEqual([]);
    expect(result.failures).toEqual([
      {
        stage: 'summarize',
        id: 'links',
        code: 'empty-item',
        reason: expect.stringMatching(/^skipped: the item holds no words to summarize/),
      },
    ]);
  });
});

it('an offline reply that fails its schema is a sentence, not a serialized validator error', async () => {
  const strict: LlmTask<SummarizeInput, { summary: string; partition: string }> = {
    name: 'summarize',
    kind: 'summarize',
    version: 1,
    reply: z.object({ summary: z.string(), partition: z.string() }),
    tool: { name: 't', description: 'd' },
    prompt: () => ({ system: '', user: '', maxTokens: 1 }),
  };
  const rendered = { text: 'x', values: ['refund request'], missing: [] };
  const error = (await new OfflineLlm()
    .run(strict, { rendered, partitions: null })
    .catch((e) => e)) as Error;
  expect(error.message).toBe(
    'summarize: the reply did not match the expected shape: `partition` missing',
  );
});
