import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { createBedrockLlm } from '../../lib/llm/bedrock.js';
import { LlmRequestError } from '../../lib/llm/claude.js';
import { toolInputSchema } from '../../lib/llm/json-schema.js';
import { canonicalModel, costOf } from '../../lib/llm/pricing.js';
import { LlmReplyError, type LlmTask } from '../../lib/llm/types.js';
import { nameClusterTask } from '../../lib/prompts/naming.js';
import { summarizeTask } from '../../lib/prompts/summarize.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';

const KEY = 'test-key-not-real-0123456789';
const noWait = { baseMs: 1, maxMs: 2, sleep: async () => {} };
const input = (text: string) => ({
  rendered: { text, values: [], missing: [] },
  partitions: null,
});
type Turn = { role: string; content: unknown };

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('AnthropicLlm', () => {
  it('forces the task tool with its JSON Schema and caches the system prompt', async () => {
    fake = await startFakeAnthropic({
      answer: (r) =>
        r.tool === 'record_summary'
          ? { summary: r.user, partition: 'Billing' }
          : { name: 'n', description: 'd' },
    });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, namingModel: 'claude-x' });
    const task = summarizeTask({ Billing: 'money', Other: 'the rest' });
    const answer = await llm.run(task, input('refund please'));

    expect(llm.id).toBe('anthropic:claude-haiku-4-5');
    expect(llm.generative).toBe(true);
    expect(answer.model).toBe('claude-haiku-4-5');
    const [sent] = fake.received;
    expect(sent?.headers['anthropic-version']).toBeTruthy();
    expect(sent?.headers.authorization ?? sent?.headers['x-api-key']).toContain(KEY);
    const body = sent?.body as Record<string, unknown>;
    expect(body.model).toBe('claude-haiku-4-5');
    expect(body.max_tokens).toBe(400);
    expect(body.tool_choice).toEqual({ type: 'tool', name: 'record_summary' });
    expect(body.tools).toEqual([
      {
        name: 'record_summary',
        description: task.tool.description,
        input_schema: toolInputSchema(task.reply),
      },
    ]);
    const schema = toolInputSchema(task.reply);
    expect(schema.type).toBe('object');
    expect(schema.properties).toMatchObject({ partition: { enum: ['Billing', 'Other'] } });
    expect(body.system).toEqual([
      { type: 'text', text: expect.any(String), cache_control: { type: 'ephemeral' } },
    ]);
    expect(body.messages).toEqual([{ role: 'user', content: expect.stringContaining('refund') }]);
    // The fake reports the cached prefix as written, then as read.
    expect(answer.usage.cacheWriteTokens).toBeGreaterThan(0);
    const again = await llm.run(task, input('another'));
    expect(again.usage.cacheReadTokens).toBe(answer.usage.cacheWriteTokens);

    await llm.run(nameClusterTask, { members: ['a'], contrast: ['b'], keywords: ['k'] });
    expect(fake.received[2]?.body.model).toBe('claude-x');
  });

  it('uses llm.max_tokens instead of the task budget when set', async () => {
    fake = await startFakeAnthropic();
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, maxTokens: 123 });
    await llm.run(summarizeTask(null), input('x'));
    expect(fake.received[0]?.body.max_tokens).toBe(123);
  });

  it('answers an invalid tool input with an error tool_result and sums usage', async () => {
    fake = await startFakeAnthropic({
      answer: (r) =>
        (r.body.messages as Turn[]).length === 1 ? { summary: '  ' } : { summary: 'ok' },
    });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const reply = await llm.run(summarizeTask(null), input('text'));

    expect(reply.value).toEqual({ summary: 'ok' });
    expect(fake.received).toHaveLength(2);
    const [ask, said, told] = (fake.received[1]?.body.messages ?? []) as Turn[];
    expect([ask?.role, said?.role, told?.role]).toEqual(['user', 'assistant', 'user']);
    const [call] = (said?.content ?? []) as { type: string; id: string; input: unknown }[];
    expect(call).toEqual({
      type: 'tool_use',
      id: expect.any(String),
      name: 'record_summary',
      input: { summary: '  ' },
    });
    const [result] = (told?.content ?? []) as {
      type: string;
      is_error: boolean;
      content: string;
    }[];
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: call?.id, is_error: true });
    expect(result?.content).toContain('summary: the summary is empty');
    expect(reply.usage.requests).toBe(2);
    expect(reply.usage.outputTokens).toBeGreaterThan(8 * 2);
    expect(llm.spent).toEqual(reply.usage);
  });

  it('throws LlmReplyError after the configured validation retries', async () => {
    fake = await startFakeAnthropic({ answer: () => ({ wrong: 1 }) });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmReplyError);
    expect((error as LlmReplyError).message).toMatch(/3 attempts: summary: /);
    expect(fake.received).toHaveLength(3);
    expect(llm.spent.requests).toBe(3);

    const once = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, validationRetries: 0 });
    await expect(once.run(summarizeTask(null), input('y'))).rejects.toBeInstanceOf(LlmReplyError);
    expect(fake.received).toHaveLength(4);
  });

  it('retries 429s honouring retry-after, then reports the status', async () => {
    fake = await startFakeAnthropic({ faults: { rate_limit: 1 }, retryAfterSeconds: 2 });
    const waits: number[] = [];
    const llm = new AnthropicLlm({
      apiKey: KEY,
      baseURL: fake.url,
      retry: { attempts: 3, sleep: async (ms) => void waits.push(ms) },
    });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRequestError);
    expect(error).toMatchObject({ status: 429, fatal: false });
    expect((error as Error).message).toMatch(/failed after 3 attempts: 429 .*rate limit/);
    expect(waits).toEqual([2000, 2000]);
    expect(fake.counts.rate_limit).toBe(3);
  });

  it('never repeats the API key in errors, and stops calling after an auth failure', async () => {
    fake = await startFakeAnthropic({ apiKey: 'the-only-accepted-key' });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: noWait });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'LlmRequestError', status: 401, fatal: true });
    expect(inspect(error, { depth: 8 })).not.toContain(KEY);
    await expect(llm.run(summarizeTask(null), input('y'))).rejects.toBe(error);
    expect(fake.counts.unauthorized).toBe(1);

    // A dropped connection, retried then reported, says nothing of the key either.
    await fake.close();
    const gone = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: noWait });
    const dropped = await gone.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(dropped).toMatchObject({ name: 'LlmRequestError', status: undefined });
    expect((dropped as Error).message).toMatch(/after 6 attempts: Connection error/);
    expect(inspect(dropped, { depth: 8 })).not.toContain(KEY);
    fake = undefined;
  });
});

describe('createBedrockLlm', () => {
  it('shares the provider and speaks Bedrock invoke with SigV4', async () => {
    fake = await startFakeAnthropic();
    const llm = createBedrockLlm({
      baseURL: fake.url,
      region: 'eu-west-1',
      awsAccessKey: 'AKIDTESTNOTREAL',
      awsSecretKey: 'test-secret-not-real',
      apiKey: null,
    });
    const reply = await llm.run(summarizeTask(null), input('bedrock text'));
    expect(llm.id).toBe('bedrock:global.anthropic.claude-haiku-4-5-20251001-v1:0');
    expect(reply.value.summary).toBe('bedrock text');
    const [sent] = fake.received;
    expect(sent?.route).toBe('bedrock');
    expect(sent?.body).not.toHaveProperty('model');
    expect(sent?.body.anthropic_version).toEqual(expect.any(String));
    expect(sent?.body.tool_choice).toEqual({ type: 'tool', name: 'record_summary' });
    expect(sent?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTNOTREAL\//);
    expect(sent?.headers.authorization).toContain('/eu-west-1/bedrock/aws4_request');
  });

  it('retries Bedrock throttling like the API', async () => {
    fake = await startFakeAnthropic({ faults: { rate_limit: 1 } });
    const llm = createBedrockLlm({
      baseURL: fake.url,
      region: 'us-east-1',
      awsAccessKey: 'AKIDTESTNOTREAL',
      awsSecretKey: 'test-secret-not-real',
      apiKey: null,
      retry: { ...noWait, attempts: 2 },
    });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429 });
    expect(inspect(error, { depth: 8 })).not.toContain('test-secret-not-real');
    expect(fake.counts.rate_limit).toBe(2);
  });
});

describe('tool schemas and pricing', () => {
  it('refuses a reply schema whose root is not an object', () => {
    const task = { reply: z.array(z.string()) } as unknown as LlmTask<unknown, unknown>;
    expect(() => toolInputSchema(task.reply)).toThrow(/must be a JSON object/);
  });

  it('prices usage per model, with the batch discount', () => {
    const usage = {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
      cacheWriteTokens: 1_000_000,
    };
    expect(costOf('claude-haiku-4-5', usage)).toBeCloseTo(1 + 5 + 1.25 + 0.1);
    expect(
      costOf('global.anthropic.claude-haiku-4-5-20251001-v1:0', usage, { batch: true }),
    ).toBeCloseTo((1 + 5 + 1.25 + 0.1) / 2);
    expect(canonicalModel('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(costOf('some-future-model', usage)).toBeUndefined();
    const prices = { 'some-future-model': { input: 2, output: 0, cacheRead: 0, cacheWrite: 0 } };
    expect(costOf('some-future-model', usage, { prices })).toBe(2);
  });
});
