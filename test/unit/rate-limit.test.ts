import { describe, expect, it } from 'vitest';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { type Clock, estimateTokens, RateLimiter } from '../../lib/llm/rate-limit.js';
import { summarizeTask } from '../../lib/prompts/summarize.js';
import { startFakeAnthropic } from '../fakes/anthropic-server.js';

/** Virtual time: a sleep moves the clock on at once, so waits are exact and instant. */
class FakeClock implements Clock {
  t = 0;
  now = () => this.t;
  sleep = async (ms: number) => {
    this.t += ms;
  };
}

const grantTimes = async (limiter: RateLimiter, clock: FakeClock, costs: number[]) => {
  const times: number[] = [];
  await Promise.all(
    costs.map((cost) => limiter.acquire(cost).then(() => times.push(Math.round(clock.t)))),
  );
  return times;
};

describe('RateLimiter', () => {
  it('paces requests at the limit after a burst of about one second', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, headroom: 1, clock });
    expect(await grantTimes(limiter, clock, [0, 0, 0, 0])).toEqual([0, 1000, 2000, 3000]);

    const fast = new FakeClock();
    const burst = new RateLimiter({ requestsPerMinute: 600, headroom: 1, clock: fast });
    const times = await grantTimes(burst, fast, Array(15).fill(0));
    expect(times.slice(0, 10)).toEqual(Array(10).fill(0));
    expect(times.slice(10)).toEqual([100, 200, 300, 400, 500]);
  });

  it('keeps a share of the limit in reserve (headroom)', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 600, clock });
    let granted = 0;
    while (clock.t < 60_000) {
      await limiter.acquire(0);
      granted++;
    }
    // 0.95 × 600 a minute, plus the first burst.
    expect(granted).toBeGreaterThanOrEqual(570);
    expect(granted).toBeLessThanOrEqual(580);
  });

  it('meters tokens, and settling with the real usage gives back the unused estimate', async () => {
    const clock = new FakeClock();
    // 100 tokens a second, a bucket of 100.
    const limiter = new RateLimiter({ tokensPerMinute: 6000, headroom: 1, clock });
    const first = await limiter.acquire(80);
    expect(clock.t).toBe(0);
    limiter.settle(first, 20); // 60 back: 80 in the bucket
    await limiter.acquire(80);
    expect(clock.t).toBe(0);
    const third = await limiter.acquire(80);
    expect(clock.t).toBeCloseTo(800); // empty: 80 tokens take 0.8 s to refill
    limiter.settle(third, 130); // 50 more than guessed: a debt
    await limiter.acquire(10);
    expect(clock.t).toBeCloseTo(800 + 600);
  });

  it('lets a request larger than the bucket through once the bucket is full', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ tokensPerMinute: 6000, headroom: 1, clock });
    await limiter.acquire(50);
    const big = await limiter.acquire(10_000);
    expect(clock.t).toBeCloseTo(500);
    expect(big.tokens).toBe(100);
  });

  it('holds every caller during a pause the server asked for', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 6000, clock });
    limiter.pause(5000);
    expect(await grantTimes(limiter, clock, [0, 0])).toEqual([5000, 5000]);
  });

  it('serves callers in arrival order', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter({ requestsPerMinute: 60, headroom: 1, clock });
    const order: number[] = [];
    await Promise.all([0, 1, 2, 3].map((i) => limiter.acquire(0).then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('estimates a request as prompt chars / 4 plus its output budget', () => {
    expect(estimateTokens(400, 300)).toBe(400);
    expect(new RateLimiter().limited).toBe(false);
  });
});

describe('AnthropicLlm with a rate limit', () => {
  // How close to the limit it runs is a speed figure: `npm run bench` measures it, not a test.
  // Client and server share one event loop here: when the machine is busy, a delayed batch of
  // sends can reach the server together. Without pacing, most of these 60 would be throttled.
  it('stays under a server enforcing the same limit: almost no request is throttled', async () => {
    const rpm = 1200; // 20 a second
    const fake = await startFakeAnthropic({ requestsPerMinute: rpm });
    try {
      const llm = new AnthropicLlm({
        apiKey: 'test-key-not-real',
        baseURL: fake.url,
        requestsPerMinute: rpm,
      });
      const task = summarizeTask(null);
      const n = 60;
      let next = 0;
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < n) {
            const i = next++;
            await llm.run(task, {
              rendered: { text: `item ${i}`, values: [], missing: [] },
              partitions: null,
            });
          }
        }),
      );
      expect(fake.counts.throttled).toBeLessThanOrEqual(3);
      expect(fake.counts.ok).toBe(n);
    } finally {
      await fake.close();
    }
  });
});
