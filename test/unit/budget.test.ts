import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { BudgetExceededError, withBudget } from '../../lib/llm/budget.js';
import type { Llm } from '../../lib/llm/types.js';
import { cachedSummary, summarizeItems } from '../../lib/pipeline/summarize.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { ScriptedLlm } from '../helpers/scripted-llm.js';

/** $0.10 a call at "list price". */
function pricedLlm(): Llm {
  const inner = new ScriptedLlm({ summarize: () => ({ summary: 'a summary' }) });
  return {
    id: inner.id,
    generative: true,
    run: (t, i) => inner.run(t, i),
    costOf: (usage) => usage.requests * 0.1,
  };
}

it('stops the stage once the budget is spent, keeping what was finished for the next run', async () => {
  const items = Array.from({ length: 20 }, (_, i) => ({
    id: `i${i}`,
    inputs: `text ${i}`,
    metadata: {},
  }));
  const cache = await JsonlCache.open(
    join(await mkdtemp(join(tmpdir(), 'clio-budget-')), 'c.jsonl'),
    cachedSummary,
  );
  const options = { template: '{{example.inputs}}', partitions: null, concurrency: 1 };
  const llm = withBudget(pricedLlm(), 0.5);
  await expect(summarizeItems(items, { llm, cache }, options)).rejects.toThrow(BudgetExceededError);
  expect(llm.spentUsd).toBeCloseTo(0.5, 10);
  expect(cache.size).toBe(5);

  const resumed = await summarizeItems(items, { llm: withBudget(pricedLlm(), 10), cache }, options);
  expect(resumed.reused).toBe(5);
  expect(resumed.summarized).toHaveLength(20);
  await cache.close();
});
