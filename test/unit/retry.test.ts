import { describe, expect, it } from 'vitest';
import { isRetryable, retryAfterMs, withRetry } from '../../lib/util/retry.js';

const httpError = (status: number, headers: Record<string, string> = {}) =>
  Object.assign(new Error(`status ${status}`), { status, headers: new Headers(headers) });

describe('withRetry', () => {
  it('retries throttling and overload, honouring retry-after, then succeeds', async () => {
    const waits: number[] = [];
    let calls = 0;
    const result = await withRetry(
      async () => {
        calls++;
        if (calls === 1) throw httpError(429, { 'retry-after': '3' });
        if (calls === 2) throw httpError(529);
        return 'ok';
      },
      { random: () => 0.5, baseMs: 100, sleep: async (ms) => void waits.push(ms) },
    );
    expect(result).toBe('ok');
    expect(waits).toEqual([3000, 100]);
  });

  it('gives up at once on a client error and after the attempts on a server error', async () => {
    let calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw httpError(400);
        },
        { sleep: async () => {} },
      ),
    ).rejects.toThrow('status 400');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw httpError(500);
        },
        { attempts: 3, sleep: async () => {} },
      ),
    ).rejects.toThrow('status 500');
    expect(calls).toBe(3);
  });
});

it('classifies errors and reads retry-after forms', () => {
  expect(isRetryable(httpError(503))).toBe(true);
  expect(isRetryable(httpError(404))).toBe(false);
  expect(isRetryable(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
  expect(isRetryable({ $metadata: { httpStatusCode: 429 } })).toBe(true);
  expect(retryAfterMs(httpError(429, { 'retry-after-ms': '250' }))).toBe(250);
  expect(
    retryAfterMs(httpError(429, { 'retry-after': new Date(61_000).toUTCString() }), 1_000),
  ).toBe(60_000);
});
