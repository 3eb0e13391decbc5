import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig, parseConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { createBedrockLlm } from '../../lib/llm/bedrock.js';
import type { ClaudeLlm } from '../../lib/llm/claude.js';
import { UsageLedger } from '../../lib/llm/ledger.js';
import { estimateRun } from '../../lib/pipeline/estimate.js';
import { generate } from '../../lib/pipeline/generate.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import { createLlm } from '../../lib/providers.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/**
 * Each model generation end to end against a stand-in that applies Anthropic's published
 * per-model rules (test/fakes/model-rules.ts), and the settings those rules refuse.
 */
const KEY = 'test-key-not-real-0123456789';
const AWS = {
  awsAccessKey: 'AKIDTESTNOTREAL',
  awsSecretKey: 'test-secret-not-real',
  apiKey: null,
  region: 'us-east-1',
};
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];

let root = '';
let fake: FakeAnthropic;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clio-models-'));
  const rows = Array.from({ length: 45 }, (_, i) => ({
    id: `i${i}`,
    text: `${TOPICS[i % 3]} ${i}`,
  }));
  await writeFile(join(root, 'items.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
  fake = await startFakeAnthropic({ answer: 'random', seed: 21 });
});
afterAll(async () => {
  await fake.close();
  await rm(root, { recursive: true, force: true });
});

const sdk = () => new Anthropic({ apiKey: KEY, baseURL: fake.url, maxRetries: 0 });
const message = { role: 'user' as const, content: 'hello' };
const format = (schema: Record<string, unknown>) => ({
  format: { type: 'json_schema' as const, schema },
});
const tool = {
  name: 'record',
  input_schema: { type: 'object' as const, properties: { a: { type: 'string' } } },
};

describe('the stand-in refuses what the models refuse', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ['temperature', { model: 'claude-haiku-5-5', temperature: 0.2 }, /temperature: Extra inputs/],
    ['top_p', { model: 'claude-sonnet-4-6', top_p: 0.9 }, /top_p: Extra inputs/],
    [
      'a thinking budget on 5.x',
      { model: 'claude-haiku-5-5', thinking: { type: 'enabled', budget_tokens: 2048 } },
      /budget_tokens is not supported/,
    ],
    [
      'thinking disabled on Sonnet 5.5',
      { model: 'claude-sonnet-5-5', thinking: { type: 'disabled' } },
      /thinking\.type\.disabled is not supported/,
    ],
    [
      'assistant prefill on 5.x',
      { model: 'claude-haiku-5-5', messages: [message, { role: 'assistant', content: '{' }] },
      /prefill is not supported/,
    ],
    [
      'a forced tool choice on Sonnet 5.5',
      { model: 'claude-sonnet-5-5', tools: [tool], tool_choice: { type: 'tool', name: 'record' } },
      /forced tool use is not supported/,
    ],
    [
      'effort on Haiku 4.5',
      { model: 'claude-haiku-4-5', output_config: { effort: 'low' } },
      /effort: not supported/,
    ],
    [
      'a length bound in a structured-output schema',
      {
        model: 'claude-haiku-5-5',
        output_config: format({
          type: 'object',
          properties: { a: { type: 'string', maxLength: 5 } },
          additionalProperties: false,
        }),
      },
      /'maxLength' is not supported/,
    ],
    [
      'an open object in a structured-output schema',
      { model: 'claude-haiku-5-5', output_config: format({ type: 'object', properties: {} }) },
      /additionalProperties must be set to false/,
    ],
    [
      'structured outputs on a legacy model',
      {
        model: 'claude-3-5-haiku',
        output_config: format({ type: 'object', properties: {}, additionalProperties: false }),
      },
      /structured outputs are not supported/,
    ],
  ];
  it.each(cases)('%s → 400', async (_, body, reason) => {
    const params = { max_tokens: 100, messages: [message], ...body };
    const error = await sdk()
      .messages.create(params as never)
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 400 });
    expect((error as Error).message).toMatch(reason);
  });
});

/** generate on the items with these models, end to end; the run record afterwards. */
async function runWith(name: string, llm: ClaudeLlm, template = 'Summarize: {{example.inputs}}') {
  const dir = join(root, name);
  const configPath = join(root, `${name}.json`);
  await writeFile(
    configPath,
    JSON.stringify({
      source: { file: 'items.jsonl' },
      hierarchy: [6, 3],
      summary_prompt: template,
      save_path: dir,
    }),
  );
  const loaded = await loadConfig(configPath, { cwd: root });
  const store = new FsStore(dir);
  const summaryCache = await JsonlCache.open(store.path('cache/summaries.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('cache/embeddings.jsonl'), z.string());
  try {
    const result = await generate(loaded, {
      llm,
      embedder: new CachedEmbedder(wordEmbedder, embeddingCache),
      store,
      summaryCache,
    });
    return { ...result, stored: await readRunRecord(store) };
  } finally {
    await Promise.all([summaryCache.close(), embeddingCache.close()]);
  }
}

describe('every generation runs end to end without a rejected setting', () => {
  const api = (model?: string, namingModel?: string) =>
    new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, model, namingModel, retry: { baseMs: 1 } });
  const bedrock = (model?: string, namingModel?: string) =>
    createBedrockLlm({ ...AWS, baseURL: fake.url, model, namingModel, retry: { baseMs: 1 } });
  const runs: [string, () => ClaudeLlm, string][] = [
    ['current defaults on the API', () => api(), 'anthropic:claude-haiku-5-5'],
    ['current defaults on Bedrock', () => bedrock(), 'bedrock:global.anthropic.claude-haiku-5-5'],
    [
      'the legacy defaults on the API',
      () => api('claude-haiku-4-5', 'claude-sonnet-4-6'),
      'anthropic:claude-haiku-4-5',
    ],
    [
      'the legacy defaults on Bedrock',
      () =>
        bedrock(
          'global.anthropic.claude-haiku-4-5-20251001-v1:0',
          'global.anthropic.claude-sonnet-4-6',
        ),
      'bedrock:global.anthropic.claude-haiku-4-5-20251001-v1:0',
    ],
    ['a pre-4.5 model (forced tool use)', () => api('claude-3-5-haiku', 'claude-sonnet-4'), ''],
  ];
  it.each(runs)('%s', async (name, make, id) => {
    const rejected = fake.counts.invalid_request;
    const llm = make();
    const { record } = await runWith(name.replace(/\W+/g, '-'), llm);
    expect(fake.counts.invalid_request - rejected).toBe(0);
    if (id) expect(record.llm).toBe(id);
    expect(record.status).toBe('done');
    expect(record.costUsd).toBeGreaterThan(0);
    expect(record.unpricedModels).toEqual([]);
    expect(record.usage).toEqual(llm.ledger.summary().usage);
  });
});

describe('prices', () => {
  it('an unknown model is reported as unpriced, never as free, and priced from llm.prices', async () => {
    const unknown = 'claude-haiku-5-6';
    const llm = new AnthropicLlm({
      apiKey: KEY,
      baseURL: fake.url,
      model: unknown,
      retry: { baseMs: 1 },
    });
    const { record } = await runWith('unknown-model', llm);
    expect(record.status).toBe('done');
    expect(record.unpricedModels).toEqual([unknown]);
    expect(record.costByStage.summarize ?? 0).toBe(0);
    expect(record.costByStage.cluster).toBeGreaterThan(0);

    const priced = new AnthropicLlm({
      apiKey: KEY,
      baseURL: fake.url,
      model: unknown,
      ledger: new UsageLedger({
        prices: { [unknown]: { input: 1, output: 2, cacheWrite: 1.25, cacheRead: 0.1 } },
      }),
    });
    const again = await runWith('unknown-priced', priced);
    expect(again.record.unpricedModels).toEqual([]);
    expect(again.record.costByStage.summarize).toBeGreaterThan(0);
  });

  it('refuses a budget for a model nobody has priced, before spending anything', () => {
    const base = {
      source: { file: 'items.jsonl' },
      hierarchy: [6, 3],
      summary_prompt: '{{example.inputs}}',
    };
    const at = { file: join(root, 'c.json'), dir: root };
    const env = { ANTHROPIC_API_KEY: KEY };
    const unpriced = parseConfig(
      { ...base, llm: { provider: 'anthropic', model: 'claude-haiku-5-6', budget_usd: 1 } },
      at,
    );
    expect(() => createLlm(unpriced, wordEmbedder, env)).toThrow(
      /llm\.budget_usd needs a price for claude-haiku-5-6.*llm\.prices/,
    );
    const supplied = parseConfig(
      {
        ...base,
        llm: {
          provider: 'anthropic',
          model: 'claude-haiku-5-6',
          budget_usd: 1,
          prices: { 'claude-haiku-5-6': { input: 0.2, output: 1 } },
        },
      },
      at,
    );
    expect(createLlm(supplied, wordEmbedder, env).id).toBe('anthropic:claude-haiku-5-6');
  });

  it('estimates with the API token counter when there is a key, and says so', async () => {
    const loaded = await loadConfig(join(root, 'current-defaults-on-the-API.json'), { cwd: root });
    const items = Array.from({ length: 45 }, (_, i) => ({
      id: `e${i}`,
      inputs: { text: `${TOPICS[i % 3]} ${i}` },
      metadata: {},
    }));
    const cache = await JsonlCache.open(join(root, 'estimate-cache.jsonl'), cachedSummary);
    try {
      const billed = fake.billed.requests;
      const counted = fake.countTokenCalls;
      const api = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
      const [summarize] = await estimateRun(items, loaded.config, { llm: api, cache });
      expect(fake.countTokenCalls - counted).toBe(20);
      expect(fake.billed.requests).toBe(billed);
      expect(summarize?.basis).toMatch(/token-counting endpoint on 20 sampled prompts/);
      expect(summarize?.model).toBe('claude-haiku-5-5');
      // Bedrock has no token counter: the offline estimate, with the 5.x tokenizer factor.
      const onBedrock = createBedrockLlm({ ...AWS, baseURL: fake.url });
      const [offline] = await estimateRun(items, loaded.config, { llm: onBedrock, cache });
      expect(offline?.basis).toMatch(/estimated offline/);
      expect(offline?.usage.inputTokens).toBeGreaterThan(0);
    } finally {
      await cache.close();
    }
  });
});

describe('prompt caching', () => {
  it('caches a long fixed head of the summary prompt, and marks nothing that cannot be cached', async () => {
    const rules = Array.from(
      { length: 60 },
      (_, i) => `Rule ${i + 1}: keep the product area, the action asked for, and the outcome.`,
    ).join('\n');
    const before = { ...fake.billed };
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: { baseMs: 1 } });
    const { record } = await runWith(
      'long-head',
      llm,
      `${rules}\n\nThe record:\n{{example.inputs}}`,
    );
    expect(record.usage.cacheReadTokens).toBeGreaterThan(0);
    expect(fake.billed.cacheReadTokens - before.cacheReadTokens).toBe(record.usage.cacheReadTokens);
    // 44 of 45 summaries read the head from the cache at a tenth of the price.
    expect(record.usage.cacheWriteTokens).toBeLessThan(record.usage.cacheReadTokens / 20);

    const short = fake.received.length;
    await runWith('short-head', new AnthropicLlm({ apiKey: KEY, baseURL: fake.url }));
    const marked = fake.received
      .slice(short)
      .filter((r) => JSON.stringify(r.body).includes('cache_control'));
    expect(marked).toEqual([]);
  });
});
