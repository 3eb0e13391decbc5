import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { AnthropicLlm, createAnthropicBatches } from '../../lib/llm/anthropic.js';
import { UsageLedger } from '../../lib/llm/ledger.js';
import { requestCost } from '../../lib/llm/pricing.js';
import { generate } from '../../lib/pipeline/generate.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { billedUsd } from '../helpers/bill.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/**
 * What run.json says was spent against what the stand-in billed (counted on its side), under
 * faults, in batch mode, and with a budget; and what happens when money or access runs out in
 * the middle of naming.
 */
const KEY = 'test-key-not-real-0123456789';
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];
const FAULTS = {
  rate_limit: 0.04,
  overloaded: 0.04,
  api_error: 0.03,
  drop: 0.03,
  malformed: 0.04,
  refusal: 0.02,
};

let root = '';
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clio-billing-'));
  const rows = Array.from({ length: 120 }, (_, i) => ({
    id: `i${i}`,
    text: `${TOPICS[i % 3]} ${i}`,
  }));
  await writeFile(join(root, 'items.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

async function runWith(
  fake: FakeAnthropic,
  name: string,
  llmConfig: Record<string, unknown> = {},
  options: { batch?: boolean } = {},
) {
  const dir = join(root, name);
  const configPath = join(root, `${name}.json`);
  const config = {
    source: { file: 'items.jsonl' },
    hierarchy: [9, 3],
    summary_prompt: 'Summarize: {{example.inputs}}',
    save_path: dir,
    max_concurrency: 8,
    llm: { provider: 'anthropic', ...llmConfig },
  };
  await writeFile(configPath, JSON.stringify(config));
  const loaded = await loadConfig(configPath, { cwd: root });
  const store = new FsStore(dir);
  const summaryCache = await JsonlCache.open(store.path('cache/summaries.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('cache/embeddings.jsonl'), z.string());
  const ledger = new UsageLedger({ budgetUsd: loaded.config.llm.budget_usd });
  const common = { apiKey: KEY, baseURL: fake.url, retry: { baseMs: 1, maxMs: 3 }, ledger };
  const llm = new AnthropicLlm(common);
  const summaryBatches = options.batch ? createAnthropicBatches(common) : undefined;
  try {
    const result = await generate(loaded, {
      llm,
      summaryBatches,
      embedder: new CachedEmbedder(wordEmbedder, embeddingCache),
      store,
      summaryCache,
    }).catch((error: unknown) => error as Error);
    return { result, record: await readRunRecord(store) };
  } finally {
    await Promise.all([summaryCache.close(), embeddingCache.close()]);
  }
}

const cooperative = (r: { tool: string; user: string }) => {
  switch (r.tool) {
    case 'record_summary':
      return { summary: r.user.slice(0, 60) };
    case 'propose_categories':
    case 'final_categories':
      return { names: ['Money', 'Access', 'Files'] };
    case 'assign_category':
      return { parent: 'Money' };
    default:
      return { name: 'A group', description: 'Items alike.' };
  }
};

describe('the bill', () => {
  it('run.json reports exactly what the stand-in billed under 20 % faults', async () => {
    const fake = await startFakeAnthropic({ answer: 'random', seed: 5, faults: FAULTS });
    try {
      const { record } = await runWith(fake, 'faults');
      expect(record?.status).toBe('done');
      // Every fault kind happened, and replies that never validated were billed and counted.
      for (const fault of Object.keys(FAULTS)) {
        expect(fake.counts[fault as keyof typeof FAULTS], fault).toBeGreaterThan(0);
      }
      expect(record?.failures.some((f) => f.code === 'refusal')).toBe(true);
      expect(record?.usage).toEqual(fake.billed);
      expect(record?.costUsd).toBeCloseTo(billedUsd(fake), 10);
    } finally {
      await fake.close();
    }
  });

  it('counts every billed batch result and none of the errored or expired ones', async () => {
    const fake = await startFakeAnthropic({
      answer: cooperative,
      batchFaults: { errored: 0.1, expired: 0.05, malformed: 0.05 },
    });
    try {
      const { record } = await runWith(fake, 'batch', { batch: true }, { batch: true });
      expect(record?.status).toBe('done');
      expect(record?.usage).toEqual(fake.billed);
      expect(record?.costByStage.summarize).toBeCloseTo(billedUsd(fake, { batch: true }), 10);
    } finally {
      await fake.close();
    }
  });
});

describe('a budget', () => {
  it('is never exceeded, with 8 calls in flight, and stops the run with a reason', async () => {
    const free = await startFakeAnthropic({ answer: 'random', seed: 3 });
    let fullCost = 0;
    let summaryCost = 0;
    try {
      await runWith(free, 'unbudgeted');
      fullCost = billedUsd(free);
      summaryCost = free.billedReplies
        .filter((r) => r.model === 'claude-haiku-5-5')
        .reduce((sum, r) => sum + (requestCost(r.model, r.usage) ?? 0), 0);
    } finally {
      await free.close();
    }
    // 40 % of the run, and 40 % of the summaries alone (so the race is among 8 summary calls).
    for (const [name, budget] of [
      ['run', fullCost * 0.4],
      ['summaries', summaryCost * 0.4],
    ] as const) {
      const fake = await startFakeAnthropic({ answer: 'random', seed: 3 });
      try {
        const { result, record } = await runWith(fake, `budget-${name}`, { budget_usd: budget });
        expect((result as Error).name, name).toBe('BudgetExceededError');
        expect(billedUsd(fake), name).toBeLessThanOrEqual(budget);
        expect(record?.status, name).toBe('stopped');
        expect(record?.error, name).toMatch(/llm\.budget_usd of \$\d/);
        expect(record?.costUsd, name).toBeCloseTo(billedUsd(fake), 10);
        if (name === 'summaries') {
          // Reserving worst cases does not strand the budget: most of it is spent on work.
          expect(billedUsd(fake)).toBeGreaterThan(budget * 0.6);
        }
      } finally {
        await fake.close();
      }
    }
  });

  it('spent during naming fails the run rather than naming clusters by keywords', async () => {
    const probe = await startFakeAnthropic({ answer: cooperative });
    let summaries = 0;
    try {
      await runWith(probe, 'probe');
      summaries = probe.billedReplies
        .filter((r) => r.model === 'claude-haiku-5-5')
        .reduce((sum, r) => sum + (requestCost(r.model, r.usage) ?? 0), 0);
    } finally {
      await probe.close();
    }
    const fake = await startFakeAnthropic({ answer: cooperative });
    try {
      // Room for every summary and a few naming calls, not for all of them.
      const { record } = await runWith(fake, 'naming-budget', { budget_usd: summaries + 0.05 });
      expect(record?.status).toBe('stopped');
      expect(record?.stage).toMatch(/^cluster level \d$/);
      expect(record?.error).toMatch(/budget_usd/);
      expect(billedUsd(fake)).toBeLessThanOrEqual(summaries + 0.05);
    } finally {
      await fake.close();
    }
  });

  it('a key without access to the naming model fails the run at naming, with the reason', async () => {
    const fake = await startFakeAnthropic({
      answer: cooperative,
      forbiddenModels: ['claude-sonnet-5-5'],
    });
    try {
      const { record } = await runWith(fake, 'forbidden');
      expect(record?.status).toBe('failed');
      expect(record?.error).toMatch(/403.*permission to use claude-sonnet-5-5/);
      expect(record?.error).not.toContain(KEY);
    } finally {
      await fake.close();
    }
  });
});
