import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readPreviousRun } from '../../lib/compare/previous.js';
import { parseConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { extendRun } from '../../lib/extend/extend.js';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import { OfflineLlm } from '../../lib/llm/offline.js';
import type { Llm, LlmTask } from '../../lib/llm/types.js';
import { type HierarchyDoc, hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { generate } from '../../lib/pipeline/generate.js';
import { readRunRecord } from '../../lib/pipeline/run-record.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import type { Item } from '../../lib/sources/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { mulberry32, randomInt } from '../../lib/util/random.js';
import { type FakeRequest, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/** Three topics, each with its own words; an item says a few of its topic's words. */
const TOPICS = {
  billing: ['refund', 'charge', 'invoice', 'billing', 'payment', 'card', 'receipt', 'money'],
  login: ['login', 'password', 'reset', 'locked', 'signin', 'account', 'code', 'verify'],
  export: ['export', 'csv', 'download', 'file', 'report', 'spreadsheet', 'columns', 'backup'],
} as const;
const OFF_TOPIC = ['sourdough', 'walnut', 'hiking', 'volcano', 'guitar', 'tulip', 'kayak', 'opera'];

function item(id: string, words: readonly string[], label: string, rng: () => number): Item {
  const said = Array.from({ length: 5 }, () => words[randomInt(rng, words.length)]);
  return {
    id,
    inputs: { messages: [{ role: 'user', content: said.join(' ') }] },
    metadata: { label },
  };
}

function dataset(prefix: string, perTopic: number, seed: number): Item[] {
  const rng = mulberry32(seed);
  return Object.entries(TOPICS).flatMap(([topic, words]) =>
    Array.from({ length: perTopic }, (_, i) => item(`${prefix}-${topic}-${i}`, words, topic, rng)),
  );
}

/** The offline model, plus a scripted `place_item` answer for the generative path. */
class PlacingLlm implements Llm {
  readonly id = 'offline@1';
  readonly #inner = new OfflineLlm();
  readonly ledger = this.#inner.ledger;
  placeCalls = 0;
  constructor(
    readonly generative: boolean,
    private readonly choose: (summary: string) => number = () => 1,
  ) {}
  run<I, O>(task: LlmTask<I, O>, input: I) {
    if (task.name !== 'place_item') return this.#inner.run(task, input);
    this.placeCalls++;
    task.prompt(input);
    const { summary } = input as { summary: string };
    const value = task.reply.parse({ choice: this.choose(summary) });
    return Promise.resolve({ value, usage: { ...zeroUsage, requests: 1 }, model: this.id });
  }
}
const zeroUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  requests: 0,
};

async function open(dir: string, extra: Record<string, unknown> = {}) {
  const config = parseConfig(
    {
      source: { file: 'unused.jsonl' },
      hierarchy: [6, 2],
      summary_prompt: 'Summarize: {{example.inputs.messages}}',
      ...extra,
    },
    { file: join(dir, 'config.json'), dir },
  );
  const loaded = { config, path: join(dir, 'config.json'), dir, digest: 'test' };
  const store = new FsStore(dir);
  const summaryCache = await JsonlCache.open(store.path('cache/summaries.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('cache/embeddings.jsonl'), z.string());
  const embedder = new CachedEmbedder(wordEmbedder, embeddingCache);
  const close = () => Promise.all([summaryCache.close(), embeddingCache.close()]);
  return { loaded, store, summaryCache, embedder, close };
}

async function generateRun(dir: string, items: readonly Item[], extra?: Record<string, unknown>) {
  const run = await open(dir, extra);
  try {
    return await generate(run.loaded, {
      ...run,
      llm: new PlacingLlm(false),
      loadItems: async () => ({ items: [...items], problems: [], description: 'test items' }),
    });
  } finally {
    await run.close();
  }
}

async function extend(
  dir: string,
  items: readonly Item[],
  llm: Llm,
  extra?: Record<string, unknown>,
) {
  const run = await open(dir, extra);
  try {
    return await extendRun(run.loaded, {
      ...run,
      llm,
      loadItems: async () => ({ items: [...items], problems: [], description: 'more items' }),
    });
  } finally {
    await run.close();
  }
}

/** The most common label among a base cluster's members in the run as generated. */
function majorityLabels(doc: HierarchyDoc): Map<number, string> {
  const tally = new Map<number, Map<string, number>>();
  for (const item of doc.items) {
    const counts = tally.get(item.path[0] as number) ?? new Map<string, number>();
    counts.set(item.label ?? '', (counts.get(item.label ?? '') ?? 0) + 1);
    tally.set(item.path[0] as number, counts);
  }
  return new Map(
    [...tally].map(([id, counts]) => [id, [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '']),
  );
}

const old = dataset('old', 30, 1);
const onTopic = dataset('new', 6, 2);
const offTopic = Array.from({ length: 4 }, (_, i) =>
  item(`odd-${i}`, OFF_TOPIC, 'odd', mulberry32(9 + i)),
);

describe('extend', () => {
  it('keeps every old path, files on-topic items with their topic and keeps off-topic ones out', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-extend-'));
    const before = (await generateRun(dir, old)).doc;
    const result = await extend(dir, [...old, ...onTopic, ...offTopic], new PlacingLlm(false));
    const doc = hierarchySchema.parse(
      JSON.parse(await readFile(join(dir, 'hierarchy.json'), 'utf8')),
    );

    const pathOf = new Map(doc.items.map((i) => [i.id, i.path]));
    for (const item of before.items) expect(pathOf.get(item.id)).toEqual(item.path);
    expect(doc.clusters.map((c) => c.key)).toEqual(before.clusters.map((c) => c.key));

    const majority = majorityLabels(before);
    for (const fresh of onTopic) {
      const path = pathOf.get(fresh.id);
      expect(path, fresh.id).toBeDefined();
      expect(majority.get(path?.[0] as number)).toBe(fresh.metadata.label);
    }
    const kept = result.placements.filter((p) => p.status === 'poor-fit').map((p) => p.id);
    expect(kept.sort()).toEqual(offTopic.map((i) => i.id).sort());
    for (const odd of offTopic) expect(pathOf.has(odd.id)).toBe(false);

    // Sizes add up at every level, and each cluster holds exactly the items whose path says so.
    for (const cluster of doc.clusters) {
      const members = doc.items.filter((i) => i.path[cluster.level] === cluster.id);
      expect(cluster.size).toBe(members.length);
    }
    expect(doc.items.filter((i) => i.extension === 1)).toHaveLength(onTopic.length);

    const record = await readRunRecord(new FsStore(dir));
    expect(record?.extensions?.[0]?.counts).toEqual({
      candidates: onTopic.length + offTopic.length,
      placed: onTopic.length,
      poorFit: offTopic.length,
      rejected: 0,
      failed: 0,
    });
    expect(record?.counts.clustered).toBe(old.length + onTopic.length);
    const report = JSON.parse(await readFile(join(dir, 'extensions/1.json'), 'utf8'));
    expect(report.placements).toHaveLength(onTopic.length + offTopic.length);
    const rows = parse(await readFile(join(dir, 'combined.csv'), 'utf8'), { columns: true });
    expect(rows).toHaveLength(old.length + onTopic.length);

    // The run it replaced is kept for comparing, and a second extend finds only the misfits.
    const previous = await readPreviousRun(new FsStore(join(dir, 'previous')));
    expect(previous?.side.doc.items).toHaveLength(old.length);
    const again = await extend(dir, [...old, ...onTopic, ...offTopic], new PlacingLlm(false));
    expect(again.extension?.counts.candidates).toBe(offTopic.length);
  });

  it('keeps the full text of items the source no longer yields', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-extend-window-'));
    await generateRun(dir, old);
    // A newer window: only new threads come back.
    await extend(dir, onTopic, new PlacingLlm(false));
    const rows = parse(await readFile(join(dir, 'combined.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(rows).toHaveLength(old.length + onTopic.length);
    const first = rows.find((r) => r.example_id === old[0]?.id);
    expect(first?.full_example).toBe(JSON.stringify(old[0]?.inputs, null, 2));
  });

  it('lets a generative model confirm or reject each placement', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-extend-llm-'));
    await generateRun(dir, old);
    // The model turns down every billing item and accepts the nearest cluster for the rest.
    const llm = new PlacingLlm(true, (summary) => (/refund|charge|invoice/.test(summary) ? 0 : 1));
    const result = await extend(dir, [...old, ...onTopic], llm);
    expect(llm.placeCalls).toBe(onTopic.length);
    const rejected = result.placements.filter((p) => p.status === 'rejected');
    expect(rejected.length).toBeGreaterThan(0);
    expect(result.extension).toMatchObject({ confirmedByModel: true });
    expect(result.extension?.counts.rejected).toBe(rejected.length);
    const ids = new Set(result.doc.items.map((i) => i.id));
    for (const p of rejected) expect(ids.has(p.id)).toBe(false);
  });

  it('does nothing when the source holds nothing new', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-extend-none-'));
    await generateRun(dir, old);
    const before = await readFile(join(dir, 'hierarchy.json'), 'utf8');
    const result = await extend(dir, old, new PlacingLlm(false));
    expect(result.extension).toBeNull();
    expect(await readFile(join(dir, 'hierarchy.json'), 'utf8')).toBe(before);
  });
});

describe('stable keys from generate', () => {
  it('are identical when the same data is run twice', async () => {
    const a = await generateRun(await mkdtemp(join(tmpdir(), 'clio-keys-')), old);
    const b = await generateRun(await mkdtemp(join(tmpdir(), 'clio-keys-')), old);
    const keys = a.doc.clusters.map((c) => c.key);
    expect(keys.every((k) => typeof k === 'string')).toBe(true);
    expect(b.doc.clusters.map((c) => c.key)).toEqual(keys);
  });
});

describe('extend with facets', () => {
  const FACETS = {
    mood: { question: 'How does the user feel?', type: 'category', values: ['Angry', 'Calm'] },
    effort: { question: 'How many different things are asked?', type: 'scale', min: 1, max: 10 },
  };
  const topicWords = new Set<string>(Object.values(TOPICS).flat());
  const billing = new Set<string>(TOPICS.billing);
  /** The summary is the item's topic words; billing items are angry; effort counts distinct words. */
  function answer(r: FakeRequest): unknown {
    if (r.tool === 'choose_cluster') return { choice: 1 };
    if (r.tool !== 'record_summary') throw new Error(`unexpected tool ${r.tool}`);
    const words = (r.user.toLowerCase().match(/[a-z]+/g) ?? []).filter((w) => topicWords.has(w));
    return {
      summary: words.join(' '),
      facets: {
        mood: words.some((w) => billing.has(w)) ? 'Angry' : 'Calm',
        effort: new Set(words).size,
      },
    };
  }

  it('gives new items built-in and question facets from the one summary call, and updates their clusters', async () => {
    const fake = await startFakeAnthropic({ apiKey: 'test-key-not-real', answer });
    try {
      const dir = await mkdtemp(join(tmpdir(), 'clio-extend-facets-'));
      // Generated offline: the old items have the built-ins and no answers.
      await generateRun(dir, old, { facets: FACETS });
      const llm = new AnthropicLlm({ apiKey: 'test-key-not-real', baseURL: fake.url });
      const result = await extend(dir, [...old, ...onTopic], llm, { facets: FACETS });
      expect(result.warnings.join('\n')).not.toMatch(/question facets/);

      // One summary call per new item asks every facet; nothing else is asked for them.
      const bodies = fake.received.map((r) => JSON.stringify(r.body));
      const summaries = bodies.filter((b) => b.includes('How does the user feel?'));
      expect(summaries).toHaveLength(onTopic.length);
      const placed = result.placements.filter((p) => p.status === 'placed');
      expect(placed).toHaveLength(onTopic.length);
      expect(fake.received).toHaveLength(onTopic.length + placed.length);
      expect(result.extension?.usage).toEqual(fake.billed);

      const doc = hierarchySchema.parse(
        JSON.parse(await readFile(join(dir, 'hierarchy.json'), 'utf8')),
      );
      const source = new Map(onTopic.map((i) => [i.id, i]));
      const added = doc.items.filter((i) => i.extension === 1);
      for (const item of added) {
        const inputs = source.get(item.id)?.inputs as { messages: { content: string }[] };
        const text = inputs.messages[0]?.content as string;
        const words = text.split(' ');
        expect(item.facets).toMatchObject({
          turns: 1,
          length: text.length,
          mood: words.some((w) => billing.has(w)) ? 'Angry' : 'Calm',
          effort: new Set(words).size,
        });
        expect(typeof item.facets?.language).toBe('string');
      }

      // Every cluster's distributions describe all the items it holds, old and new.
      for (const cluster of doc.clusters) {
        const members = doc.items.filter((i) => i.path[cluster.level] === cluster.id);
        const moods = members.flatMap((m) => (m.facets?.mood ? [String(m.facets.mood)] : []));
        const mood = cluster.facets?.mood;
        if (moods.length === 0) expect(mood).toBeUndefined();
        else {
          expect(mood?.kind).toBe('category');
          for (const value of new Set(moods)) {
            expect(mood?.kind === 'category' && mood.counts[value]).toBe(
              moods.filter((m) => m === value).length,
            );
          }
        }
        const turns = cluster.facets?.turns;
        expect(turns?.kind === 'scale' && turns.n).toBe(members.length);
      }
      expect(added.length).toBeGreaterThan(0);

      const rows = parse(await readFile(join(dir, 'combined.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      for (const row of rows) {
        const fresh = source.has(row.example_id ?? '');
        expect(row.facet_mood !== '', row.example_id).toBe(fresh);
        expect(row.facet_turns).not.toBe('');
      }
      const base = parse(await readFile(join(dir, 'level_0_clusters.csv'), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      const grown = new Set(added.map((i) => i.path[0]));
      expect(base.filter((r) => r.facet_mood !== '')).toHaveLength(grown.size);
    } finally {
      await fake.close();
    }
  });
});
