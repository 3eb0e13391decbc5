/**
 * Client-side rate limiting against a server that enforces the same limit the way the API does
 * (a token bucket of one second's worth): does a run get zero 429s while using most of the rate?
 *
 *   node --import tsx bench/rate-limit.ts [requests-per-minute] [seconds]   (default 600, 20)
 */
import { pathToFileURL } from 'node:url';
import { AnthropicLlm } from '../lib/llm/anthropic.js';
import { summarizeTask } from '../lib/prompts/summarize.js';
import { startFakeAnthropic } from '../test/fakes/anthropic-server.js';

export interface RateLimitBenchResult {
  requestsPerMinute: number;
  seconds: number;
  requests: number;
  /** Answered requests over what the server allowed in the time taken (its burst included). */
  ratio: number;
  throttled: number;
}

export async function runRateLimitBench(
  requestsPerMinute = 600,
  seconds = 20,
  concurrency = 8,
): Promise<RateLimitBenchResult> {
  const fake = await startFakeAnthropic({ requestsPerMinute });
  try {
    const llm = new AnthropicLlm({
      apiKey: 'test-key-not-real',
      baseURL: fake.url,
      requestsPerMinute,
    });
    const task = summarizeTask(null);
    const perSecond = requestsPerMinute / 60;
    const burst = Math.max(1, perSecond);
    // As many requests as the server allows in `seconds`, so the run lasts about that long.
    const total = Math.round(burst + perSecond * seconds);
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total) {
          const i = next++;
          const rendered = { text: `request ${i}`, values: [], missing: [] };
          await llm.run(task, { rendered, partitions: null });
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const result: RateLimitBenchResult = {
      requestsPerMinute,
      seconds: elapsed,
      requests: fake.counts.ok,
      ratio: fake.counts.ok / (burst + perSecond * elapsed),
      throttled: fake.counts.throttled,
    };
    console.log(
      `rate limit: ${result.requests} requests at ${requestsPerMinute}/min in ${elapsed.toFixed(1)} s ` +
        `→ ${(result.ratio * 100).toFixed(1)} % of the allowed rate, ${result.throttled} × 429`,
    );
    return result;
  } finally {
    await fake.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [rpm, seconds] = process.argv.slice(2).map(Number);
  await runRateLimitBench(rpm || undefined, seconds || undefined);
}
