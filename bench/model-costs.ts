import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../lib/config/index.js';
import { createOfflineEmbedder } from '../lib/embed/offline.js';
import { AnthropicLlm, createAnthropicBatches } from '../lib/llm/anthropic.js';
import { UsageLedger } from '../lib/llm/ledger.js';
import { generate } from '../lib/pipeline/generate.js';
import { cachedSummary } from '../lib/pipeline/summarize.js';
import { FsStore } from '../lib/store/fs-store.js';
import { JsonlCache } from '../lib/store/jsonl-cache.js';
import { type FakeRequest, startFakeAnthropic } from '../test/fakes/anthropic-server.js';

/**
 * What a run costs per model, measured on the demo data (1,500 support conversations, the demo
 * config's own prompt and hierarchy) through the Anthropic stand-in, which bills tokens like the
 * API (a quarter of the characters, 30 % more on the 5.x tokenizer) with a summary of typical
 * length (25 words). Prints tokens per item and the projected cost of 100k items, directly and
 * with Message Batches. The token counts are the stand-in's; real ones differ by tokenizer.
 */
/** 25 words of the customer's own text: a summary of typical length that varies by item. */
const summaryOf = (user: string) =>
  [...user.matchAll(/"content": "([^"]+)"/g)]
    .map((m) => m[1])
    .join(' ')
    .split(/\s+/)
    .slice(0, 25)
    .join(' ');

function answer(r: FakeRequest): unknown {
  switch (r.tool) {
    case 'record_summary':
      return { summary: summaryOf(r.user) || 'The customer needs help.' };
    case 'propose_categories':
    case 'final_categories':
      return { names: ['Restore account access', 'Handle billing questions', 'Fix data exports'] };
    case 'assign_category':
      return { parent: 'Restore account access' };
    default:
      return {
        name: 'Restore access after a password change',
        description: 'Customers locked out after a password change ask to get back in.',
      };
  }
}

const PAIRS: [string, string][] = [
  ['claude-haiku-5-5', 'claude-sonnet-5-5'],
  ['claude-haiku-4-5', 'claude-sonnet-4-6'],
  ['claude-sonnet-5-5', 'claude-sonnet-5-5'],
];

export async function runModelCostBench(): Promise<void> {
  const fake = await startFakeAnthropic({ answer });
  const root = await mkdtemp(join(tmpdir(), 'clio-costs-'));
  console.log('\nModel costs on the demo data (1,500 items, hierarchy 36/12/5), via the stand-in');
  console.log(
    'summaries / naming model            in/item  out/item  summaries per 100k (direct | batch)  naming per run  per 1,000 items',
  );
  try {
    for (const [model, namingModel] of PAIRS) {
      for (const batch of [false, true]) {
        const dir = join(root, `${model}-${batch}`);
        const loaded = await loadConfig('configs/demo.json', { cwd: process.cwd() });
        const store = new FsStore(dir);
        const summaryCache = await JsonlCache.open(store.path('s.jsonl'), cachedSummary);
        const ledger = new UsageLedger();
        const options = { apiKey: 'bench-key', baseURL: fake.url, model, namingModel, ledger };
        const embedder = createOfflineEmbedder('tfidf-lsa');
        try {
          await generate(loaded, {
            llm: new AnthropicLlm(options),
            summaryBatches: batch ? createAnthropicBatches(options) : undefined,
            embedder,
            store,
            summaryCache,
          });
        } finally {
          await summaryCache.close();
          await embedder.close();
        }
        const { byKind } = ledger.summary();
        const summaries = byKind.summarize;
        const naming = (byKind.name?.costUsd ?? 0) + (byKind.group?.costUsd ?? 0);
        if (!summaries) continue;
        const items = summaries.usage.requests;
        const per100k = (summaries.costUsd / items) * 100_000;
        if (!batch) {
          process.stdout.write(
            `${`${model} / ${namingModel}`.padEnd(36)} ${String(Math.round(summaries.usage.inputTokens / items)).padStart(7)}  ${String(Math.round(summaries.usage.outputTokens / items)).padStart(8)}  $${per100k.toFixed(2).padStart(8)}`,
          );
        } else {
          console.log(
            ` | $${per100k.toFixed(2).padStart(7)}              $${naming.toFixed(2).padStart(6)}    $${((summaries.costUsd / items) * 1000).toFixed(3)} + naming`,
          );
        }
      }
    }
  } finally {
    await fake.close();
    await rm(root, { recursive: true, force: true });
  }
}
