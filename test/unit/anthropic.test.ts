import { inspect } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { createBedrockLlm } from '../../lib/llm/bedrock.js';
import { LlmRequestError } from '../../lib/llm/claude.js';
import { toolInputSchema } from '../../lib/llm/json-schema.js';
import { canonicalModel, requestCost } from '../../lib/llm/pricing.js';
import { LlmRefusalError, LlmReplyError, type LlmTask } from '../../lib/llm/types.js';
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
/** A request body as the tests read it. */
type Body = {
  model?: string;
  tools?: { name: string }[];
  messages?: { content: unknown }[];
  output_config?: {
    effort?: string;
    format?: { schema: { properties?: Record<string, unknown> } };
  };
};

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('AnthropicLlm', () => {
  it('asks current models for structured output with effort and adaptive thinking, nothing they reject', async () => {
    fake = await startFakeAnthropic({
      answer: (r) =>
        r.tool === 'record_summary'
          ? { summary: r.user, partition: 'billing' }
          : { name: 'n', description: 'd' },
    });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const task = summarizeTask({ Billing: 'money', Other: 'the rest' });
    const answer = await llm.run(task, input('refund please'));

    expect(llm.id).toBe('anthropic:claude-haiku-5-5');
    expect(llm.generative).toBe(true);
    expect(answer.model).toBe('claude-haiku-5-5');
    // The documented case drift of an enum value is folded back to the configured name.
    expect(answer.value.partition).toBe('Billing');
    const [sent] = fake.received;
    expect(sent?.headers['anthropic-version']).toBeTruthy();
    expect(sent?.headers.authorization ?? sent?.headers['x-api-key']).toContain(KEY);
    const body = sent?.body as Record<string, unknown>;
    expect(body.model).toBe('claude-haiku-5-5');
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('tool_choice');
    expect(body).not.toHaveProperty('temperature');
    expect(body.thinking).toEqual({ type: 'adaptive' });
    // The task's reply budget plus room for low-effort thinking.
    expect(body.max_tokens).toBe(400 + 1024);
    const config = body.output_config as {
      effort: string;
      format: { type: string; schema: Record<string, unknown> };
    };
    expect(config.effort).toBe('low');
    expect(config.format.type).toBe('json_schema');
    expect(config.format.schema).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['summary', 'partition'],
      properties: { partition: { enum: ['Billing', 'Other'] } },
    });
    // Our system prompt is far below the 512-token minimum: not marked for a cache it cannot use.
    expect(body.system).toEqual([{ type: 'text', text: expect.any(String) }]);
    expect(body.messages).toEqual([{ role: 'user', content: expect.stringContaining('refund') }]);

    await llm.run(nameClusterTask, { members: ['a'], contrast: ['b'], keywords: ['k'] });
    const naming = fake.received[1]?.body as Body;
    expect(naming.model).toBe('claude-sonnet-5-5');
    expect(naming.output_config?.effort).toBe('medium');
    expect(naming).not.toHaveProperty('tool_choice');
    expect(fake.counts.invalid_request).toBe(0);
  });

  it('offers no partition field when the run has no partitions, and ignores one that arrives', async () => {
    fake = await startFakeAnthropic({ answer: () => ({ summary: 'ok', partition: 'Invented' }) });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const task = summarizeTask(null);
    const reply = await llm.run(task, input('x'));
    const sent = fake.received[0]?.body as Body;
    expect(Object.keys(sent.output_config?.format?.schema.properties ?? {})).toEqual(['summary']);
    expect(reply.value).toEqual({ summary: 'ok' });
  });

  it('uses llm.max_tokens instead of the task budget when set', async () => {
    fake = await startFakeAnthropic();
    const llm = new AnthropicLlm({
      apiKey: KEY,
      baseURL: fake.url,
      maxTokens: 123,
      model: 'claude-haiku-4-5',
    });
    await llm.run(summarizeTask(null), input('x'));
    expect(fake.received[0]?.body.max_tokens).toBe(123);
    // Haiku 4.5 takes structured outputs but neither effort nor thinking unasked.
    expect(fake.received[0]?.body).not.toHaveProperty('thinking');
    expect(fake.received[0]?.body.output_config).not.toHaveProperty('effort');
  });

  it('reads the JSON after a thinking block, and corrects an invalid one in a user turn', async () => {
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
    expect(said?.content).toEqual([{ type: 'text', text: '{"summary":"  "}' }]);
    expect(told?.content).toContain('`summary`: the summary is empty');
    expect(reply.usage.requests).toBe(2);
    expect(llm.ledger.summary().usage).toEqual(reply.usage);
  });

  it('throws LlmReplyError after the configured validation retries, every attempt billed', async () => {
    fake = await startFakeAnthropic({ answer: () => ({ wrong: 1 }) });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmReplyError);
    expect((error as LlmReplyError).message).toMatch(
      /3 attempts: the reply did not match the expected shape: `summary` missing/,
    );
    expect(fake.received).toHaveLength(3);
    expect(llm.ledger.summary().usage).toEqual(fake.billed);

    const once = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, validationRetries: 0 });
    await expect(once.run(summarizeTask(null), input('y'))).rejects.toBeInstanceOf(LlmReplyError);
    expect(fake.received).toHaveLength(4);
  });

  it("records a refusal as that call's failure, not retried, and bills it", async () => {
    fake = await startFakeAnthropic({ faults: { refusal: 1 } });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url });
    const error = await llm.run(summarizeTask(null), input('x')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmRefusalError);
    expect(error).toMatchObject({ code: 'refusal' });
    expect((error as Error).message).toMatch(
      /declined to answer \(cyber\): The request was declined/,
    );
    expect(fake.received).toHaveLength(1);
    expect(llm.ledger.summary().usage).toEqual(fake.billed);
  });

  it('asks legacy models through a forced tool and answers an invalid input with a tool_result', async () => {
    fake = await startFakeAnthropic({
      answer: (r) =>
        (r.body.messages as Turn[]).length === 1 ? { summary: '  ' } : { summary: 'ok' },
    });
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, model: 'claude-3-5-haiku' });
    const task = summarizeTask(null);
    const reply = await llm.run(task, input('text'));
    expect(reply.value).toEqual({ summary: 'ok' });
    const first = fake.received[0]?.body as Record<string, unknown>;
    expect(first.tool_choice).toEqual({ type: 'tool', name: 'record_summary' });
    expect(first.tools).toEqual([
      {
        name: 'record_summary',
        description: task.tool.description,
        input_schema: toolInputSchema(task.reply),
      },
    ]);
    expect(first).not.toHaveProperty('output_config');
    const [, said, told] = (fake.received[1]?.body.messages ?? []) as Turn[];
    const [call] = (said?.content ?? []) as { type: string; id: string }[];
    expect(call).toMatchObject({
      type: 'tool_use',
      name: 'record_summary',
      input: { summary: '  ' },
    });
    const [result] = (told?.content ?? []) as { type: string; tool_use_id: string }[];
    expect(result).toMatchObject({ type: 'tool_result', tool_use_id: call?.id, is_error: true });
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
    fake = await startFakeAnthropic({
      answer: (r) =>
        r.tool === 'record_summary' ? { summary: r.user } : { name: 'n', description: 'd' },
    });
    const llm = createBedrockLlm({
      baseURL: fake.url,
      region: 'eu-west-1',
      awsAccessKey: 'AKIDTESTNOTREAL',
      awsSecretKey: 'test-secret-not-real',
      apiKey: null,
    });
    const reply = await llm.run(summarizeTask(null), input('bedrock text'));
    expect(llm.id).toBe('bedrock:global.anthropic.claude-haiku-5-5');
    expect(reply.value.summary).toBe('bedrock text');
    const [sent] = fake.received;
    expect(sent?.route).toBe('bedrock');
    expect(sent?.body).not.toHaveProperty('model');
    expect(sent?.body.anthropic_version).toEqual(expect.any(String));
    // Bedrock has no structured outputs for 5.x models: a tool, forced where the model allows.
    expect(sent?.body).not.toHaveProperty('output_config.format');
    expect(sent?.body.tool_choice).toEqual({ type: 'tool', name: 'record_summary' });
    await llm.run(nameClusterTask, { members: ['a'], contrast: ['b'], keywords: ['k'] });
    const naming = fake.received[1]?.body as Body;
    expect(naming.tools?.[0]?.name).toBe('name_cluster');
    expect(naming).not.toHaveProperty('tool_choice');
    expect(naming.messages?.[0]?.content).toMatch(/Answer only by calling the name_cluster tool/);
    expect(fake.counts.invalid_request).toBe(0);
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

  it('prices each request at its tier, with the batch discount, and never an unknown model', () => {
    const million = {
      inputTokens: 1_000_000,
      outputTokens: 1_000_000,
      cacheReadTokens: 1_000_000,
      cacheWriteTokens: 1_000_000,
    };
    expect(requestCost('claude-haiku-4-5', million)).toBeCloseTo(1 + 5 + 1.25 + 0.1);
    expect(
      requestCost('global.anthropic.claude-haiku-4-5-20251001-v1:0', million, { batch: true }),
    ).toBeCloseTo((1 + 5 + 1.25 + 0.1) / 2);
    const short = {
      inputTokens: 50_000,
      outputTokens: 1_000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    };
    expect(requestCost('claude-haiku-5-5', short)).toBeCloseTo((50_000 * 0.1 + 1_000 * 0.5) / 1e6);
    // Over 100k prompt tokens Haiku 5.5 bills five times as much, on the whole request.
    const long = { ...short, inputTokens: 60_000, cacheReadTokens: 50_000 };
    expect(requestCost('claude-haiku-5-5', long)).toBeCloseTo(
      (60_000 * 0.5 + 50_000 * 0.05 + 1_000 * 2.5) / 1e6,
    );
    expect(requestCost('claude-sonnet-5-5', short)).toBeCloseTo((50_000 * 2 + 1_000 * 10) / 1e6);
    expect(canonicalModel('claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5');
    expect(requestCost('some-future-model', million)).toBeUndefined();
    const prices = { 'some-future-model': { input: 2, output: 0, cacheRead: 0, cacheWrite: 0 } };
    expect(requestCost('some-future-model', million, { prices })).toBe(2);
  });
});
