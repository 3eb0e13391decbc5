import { requestCost } from '../../lib/llm/pricing.js';
import type { FakeAnthropic } from '../fakes/anthropic-server.js';

/**
 * USD of what a stand-in billed, each reply priced on its own as the provider prices it (batch
 * results at half); `batch` keeps only batch results or only direct replies.
 */
export function billedUsd(fake: FakeAnthropic, only: { batch?: boolean } = {}): number {
  return fake.billedReplies
    .filter((r) => only.batch === undefined || r.batch === only.batch)
    .reduce((sum, r) => sum + (requestCost(r.model, r.usage, { batch: r.batch }) ?? Number.NaN), 0);
}

/** 10 % of requests failing, every way the API fails (what the equivalence tests inject). */
export const TEN_PERCENT_FAULTS = {
  rate_limit: 0.03,
  overloaded: 0.02,
  api_error: 0.02,
  malformed: 0.02,
  refusal: 0.01,
} as const;
