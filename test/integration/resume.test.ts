import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parseConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import type { Llm, LlmTask } from '../../lib/llm/types.js';
import { generate } from '../../lib/pipeline/generate.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import type { Item } from '../../lib/sources/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

const TOPICS = [
  'refund for a double charge',
  'cannot login after password reset',
  'export projects to a file',
];
const items: Item[] = Array.from({ length: 60 }, (_, i) => ({
  id: `t${i}`,
  inputs: { messages: [{ role: 'user', content: `${TOPICS[i % 3]} (case ${i})` }] },
  metadata: { label: String(i % 3) },
}));

/** Counts summary calls, and can fail chosen items the way a flaky provider would. */
class CountingLlm implements Llm {
  readonly id = 'offline@1';
  readonly generative = false;
  summaries = 0;
  readonly #inner = new OfflineLlm();
  readonly ledger = this.#inner.ledger;
  constructor(readonly failIds: Set<string> = new Set()) {}
  run<I, O>(task: LlmTask<I, O>, input: I) {
    if (task.name === 'summarize') {
      this.summaries++;
      const text = JSON.stringify(input);
      for (const id of this.failIds)
        if (text.includes(`case ${id.slice(1)})`))
          return Promise.reject(new Error('provider overloaded'));
    }
    return this.#inner.run(task, input);
  }
}

async function runOnce(dir: string, llm: Llm, sample: number | null) {
  const config = parseConfig(
    {
      source: { file: 'unused.jsonl' },
      hierarchy: [6, 3],
      summary_prompt: 'Summarize: {{example.inputs.messages}}',
      sample,
    },
    { file: join(dir, 'config.json'), dir },
  );
  const store = new FsStore(dir);
  const summaryCache = await JsonlCache.open(store.path('cache/summaries.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('cache/embeddings.jsonl'), z.string());
  try {
    return await generate(
      { config, path: join(dir, 'config.json'), dir, digest: 'test' },
      {
        llm,
        embedder: new CachedEmbedder(wordEmbedder, embeddingCache),
        store,
        summaryCache,
        loadItems: async () => ({ items, problems: [], description: 'test items' }),
      },
    );
  } finally {
    await summaryCache.close();
    await embeddingCache.close();
  }
}

describe('resume', () => {
  it('pays only for items it has not finished', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-resume-'));
    const first = new CountingLlm();
    const partial = await runOnce(dir, first, 25);
    expect(first.summaries).toBe(25);
    expect(partial.reused).toEqual({ summaries: 0, embeddings: 0 });

    const second = new CountingLlm();
    const full = await runOnce(dir, second, null);
    expect(second.summaries).toBe(35);
    expect(full.reused.summaries).toBe(25);

    const third = new CountingLlm();
    const again = await runOnce(dir, third, null);
    expect(third.summaries).toBe(0);
    expect(again.reused).toEqual({ summaries: 60, embeddings: 60 });
    expect(again.doc.items).toHaveLength(60);
  });

  it('records failed items with their reason, clusters the rest, and retries them next time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-fail-'));
    const failing = new CountingLlm(new Set(['t4', 't7']));
    const result = await runOnce(dir, failing, null);
    expect(result.record.counts).toMatchObject({
      sampled: 60,
      summarized: 58,
      failed: 2,
      clustered: 58,
    });
    expect(
      result.record.failures
        .filter((f) => f.stage === 'summarize')
        .map((f) => [f.id, f.reason])
        .sort(),
    ).toEqual([
      ['t4', 'provider overloaded'],
      ['t7', 'provider overloaded'],
    ]);
    expect(result.doc.items.map((i) => i.id)).not.toContain('t4');
    const record = JSON.parse(await readFile(join(dir, 'run.json'), 'utf8'));
    expect(record.status).toBe('done');
    expect(record.failures).toHaveLength(2);

    const retry = new CountingLlm();
    const healed = await runOnce(dir, retry, null);
    expect(retry.summaries).toBe(2);
    expect(healed.doc.items).toHaveLength(60);
  });

  it('is deterministic: the same config gives the same hierarchy', async () => {
    const a = await runOnce(await mkdtemp(join(tmpdir(), 'clio-det-')), new CountingLlm(), 40);
    const b = await runOnce(await mkdtemp(join(tmpdir(), 'clio-det-')), new CountingLlm(), 40);
    expect(b.doc.clusters).toEqual(a.doc.clusters);
    expect(b.doc.items).toEqual(a.doc.items);
  });
});
