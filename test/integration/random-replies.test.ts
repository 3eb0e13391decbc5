import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../lib/config/index.js';
import { CachedEmbedder } from '../../lib/embed/cached.js';
import { judgeRun } from '../../lib/evaluate/judge.js';
import { extendRun } from '../../lib/extend/extend.js';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { generate } from '../../lib/pipeline/generate.js';
import type { RunRecord } from '../../lib/pipeline/run-record.js';
import { cachedSummary } from '../../lib/pipeline/summarize.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { prepareVizData } from '../../lib/viz/prepare.js';
import { type FakeAnthropic, startFakeAnthropic } from '../fakes/anthropic-server.js';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

/**
 * The whole pipeline against a stand-in that answers every request with a random reply valid
 * for the schema the request carried (optional fields present or absent, every enum value,
 * strings empty, blank, Unicode or thousands of characters, arrays with duplicates), for datasets,
 * tracing projects and local files, with and without partitions. Whatever the model legally
 * says, the outputs must hold together.
 */
const KEY = 'test-key-not-real-0123456789';
/** 54 in `npm test` (every source × partitions or not, nine times); more with CLIO_RANDOM_SEEDS. */
const SEEDS = Array.from({ length: Number(process.env.CLIO_RANDOM_SEEDS ?? 54) }, (_, i) => i);
const SOURCES = ['dataset', 'project', 'file'] as const;
const PARTITIONS = { Billing: 'money matters', Access: 'signing in', Data: 'files and exports' };
const TOPICS = ['refund my double charge', 'cannot log in after reset', 'export projects to csv'];
const ITEMS = 36;
const FACETS = {
  mood: { question: 'How does the user feel?', type: 'category', values: ['happy', 'angry'] },
  topic: { question: 'What is it about?', type: 'category' },
  effort: { question: 'Work to resolve, 1-5?', type: 'scale', min: 1, max: 5 },
};
const WINDOW = { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z' };

let anthropic: FakeAnthropic;
let langsmith: FakeLangSmith;
let root = '';
const savedEnv = { ...process.env };

const text = (i: number) => `${TOPICS[i % 3]} (case ${i})`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'clio-random-'));
  anthropic = await startFakeAnthropic({ answer: 'random', seed: 11 });
  langsmith = await FakeLangSmith.start({ apiKey: KEY });
  langsmith.addDataset(
    'tickets',
    Array.from({ length: ITEMS }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      inputs: { question: text(i) },
      metadata: {},
    })),
  );
  langsmith.addProject(
    'chat',
    Array.from({ length: ITEMS * 2 }, (_, i) => ({
      id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      start_time: new Date(Date.parse(WINDOW.start) + (i + 1) * 60_000).toISOString(),
      inputs: { question: text(i >> 1) },
      outputs: { answer: 'ok' },
      metadata: { thread_id: `thread-${i >> 1}` },
    })),
  );
  await writeFile(
    join(root, 'items.jsonl'),
    Array.from({ length: ITEMS }, (_, i) => JSON.stringify({ id: `f${i}`, text: text(i) })).join(
      '\n',
    ),
  );
  process.env.LANGSMITH_API_KEY = KEY;
  process.env.LANGSMITH_ENDPOINT = langsmith.url;
});
afterAll(async () => {
  process.env = savedEnv;
  await Promise.all([anthropic.close(), langsmith.close()]);
  await rm(root, { recursive: true, force: true });
});

function configFor(seed: number) {
  const source = SOURCES[seed % 3];
  const partitioned = Math.floor(seed / 3) % 2 === 1;
  const faceted = Math.floor(seed / 6) % 2 === 1;
  return {
    ...(source === 'dataset' ? { dataset_name: 'tickets' } : {}),
    ...(source === 'project'
      ? { project_name: 'chat', start_time: WINDOW.start, end_time: WINDOW.end }
      : {}),
    ...(source === 'file' ? { source: { file: 'items.jsonl' } } : {}),
    hierarchy: [8, 4, 2],
    summary_prompt: 'Summarize: {{example.inputs}}{{run.inputs}}',
    partitions: partitioned ? PARTITIONS : null,
    max_concurrency: 8,
    seed,
    ...(faceted ? { facets: FACETS } : {}),
  };
}

async function open(seed: number) {
  const dir = join(root, `run-${seed}`);
  await rm(dir, { recursive: true, force: true });
  const configPath = join(root, `config-${seed}.json`);
  await writeFile(configPath, JSON.stringify({ ...configFor(seed), save_path: dir }));
  const loaded = await loadConfig(configPath, { cwd: root });
  const store = new FsStore(dir);
  const summaryCache = await JsonlCache.open(store.path('cache/summaries.jsonl'), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path('cache/embeddings.jsonl'), z.string());
  const embedder = new CachedEmbedder(wordEmbedder, embeddingCache);
  const llm = new AnthropicLlm({ apiKey: KEY, baseURL: anthropic.url, retry: { baseMs: 1 } });
  const close = () => Promise.all([summaryCache.close(), embeddingCache.close()]);
  return { loaded, store, summaryCache, embedder, llm, close, dir };
}

/** Every invariant a user relies on, checked on what was written. */
async function checkOutputs(doc: HierarchyDoc, record: RunRecord, dir: string, seed: number) {
  const config = configFor(seed);
  const levels = config.hierarchy.length;
  const partitionNames = config.partitions ? Object.keys(config.partitions) : ['Default'];
  const label = `seed ${seed}`;

  // Every sampled item has exactly one path, or is a recorded summary failure: never both.
  const failed = new Set(record.failures.filter((f) => f.stage === 'summarize').map((f) => f.id));
  const placed = doc.items.map((i) => i.id);
  expect(new Set(placed).size, label).toBe(placed.length);
  for (const id of placed) expect(failed.has(id), `${label} ${id}`).toBe(false);
  expect(placed.length + failed.size, label).toBe(record.counts.sampled);
  for (const item of doc.items) {
    expect(item.path, label).toHaveLength(levels);
    expect(partitionNames, label).toContain(item.partition);
  }

  // Levels: never more than asked, strictly fewer than below (the partitions' own top aside).
  const byLevel = Array.from({ length: levels }, (_, l) =>
    doc.clusters.filter((c) => c.level === l),
  );
  for (const [l, clusters] of byLevel.entries()) {
    expect(clusters.length, `${label} level ${l}`).toBeGreaterThan(0);
    const isPartitionTop = config.partitions !== null && l === levels - 1;
    if (!isPartitionTop) {
      expect(clusters.length, `${label} level ${l}`).toBeLessThanOrEqual(
        config.hierarchy[l] as number,
      );
    }
    if (l > 0 && !isPartitionTop && (byLevel[l - 1]?.length ?? 0) > 1) {
      expect(clusters.length, `${label} level ${l}`).toBeLessThan(byLevel[l - 1]?.length ?? 0);
    }
    const names = clusters.map((c) => `${c.partition}:${c.name.toLowerCase()}`);
    expect(new Set(names).size, `${label} level ${l} sibling names`).toBe(names.length);
    for (const c of clusters) {
      expect(c.name.trim(), label).not.toBe('');
      expect(Array.from(c.name).length, label).toBeLessThanOrEqual(120);
      expect(partitionNames, label).toContain(c.partition);
    }
  }
  // No cluster exists but the ones a path or a parent link names; sizes add up.
  const key = (level: number, id: number) => `${level}:${id}`;
  const known = new Map(doc.clusters.map((c) => [key(c.level, c.id), c]));
  for (const item of doc.items) {
    item.path.forEach((id, level) => {
      expect(known.has(key(level, id)), label).toBe(true);
      if (level > 0)
        expect(known.get(key(level - 1, item.path[level - 1] as number))?.parent).toBe(id);
    });
  }
  for (const c of doc.clusters) {
    const members = doc.items.filter((i) => i.path[c.level] === c.id).length;
    expect(c.size, `${label} ${c.level}:${c.id}`).toBe(members);
    for (const child of c.children) expect(known.get(key(c.level - 1, child))?.parent).toBe(c.id);
  }

  // The CSVs say what hierarchy.json says, and the explorer data too.
  const rows = parse(await readFile(join(dir, 'combined.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];
  expect(rows.map((r) => r.example_id).sort(), label).toEqual([...placed].sort());
  for (const row of rows) {
    const item = doc.items.find((i) => i.id === row.example_id);
    expect(Number(row.base_cluster_id), label).toBe(item?.path[0]);
    expect(Number(row.top_cluster_id), label).toBe(item?.path[levels - 1]);
  }
  // Facets: the built-ins always, the questions' answers when asked, within what was asked.
  const asked = 'facets' in config ? Object.keys(FACETS) : [];
  for (const row of rows) {
    expect(Number(row.facet_turns), label).toBeGreaterThanOrEqual(1);
    for (const name of asked) expect(row[`facet_${name}`], `${label} ${name}`).toBeTruthy();
    if (asked.length > 0) {
      expect(['happy', 'angry'], label).toContain(row.facet_mood);
      expect([1, 2, 3, 4, 5], label).toContain(Number(row.facet_effort));
    }
  }
  for (const c of doc.clusters) {
    for (const name of ['language', ...asked.filter((n) => n !== 'effort')]) {
      const d = c.facets?.[name];
      const counted = d?.kind === 'category' ? Object.values(d.counts) : [];
      expect(
        counted.reduce((a, b) => a + b, 0),
        `${label} ${name}`,
      ).toBe(c.size);
    }
  }
  for (let l = 0; l < levels; l++) {
    const csv = await readFile(join(dir, `level_${l}_clusters.csv`), 'utf8');
    expect(parse(csv, { columns: true }), `${label} level ${l}`).toHaveLength(
      byLevel[l]?.length ?? 0,
    );
  }
  // The explorer shows the same clusters with the same sizes, and every item once.
  const viz = prepareVizData(doc);
  expect(viz.index.items, label).toBe(doc.items.length);
  expect(new Set(viz.items.map((i) => i.id)).size, label).toBe(doc.items.length);
  expect(viz.index.clusters.map((c) => [c.level, c.id, c.size, c.name]).sort(), label).toEqual(
    doc.clusters.map((c) => [c.level, c.id, c.size, c.name]).sort(),
  );

  // run.json's bill is the stand-in's bill.
  expect(record.status, label).toBe('done');
}

describe('the pipeline under random schema-valid replies', () => {
  it.each(SEEDS)('holds every invariant (seed %i)', async (seed) => {
    const run = await open(seed);
    const billedBefore = { ...anthropic.billed };
    try {
      const { doc, record } = await generate(run.loaded, run);
      await checkOutputs(doc, record, run.dir, seed);
      const billed = {
        inputTokens: anthropic.billed.inputTokens - billedBefore.inputTokens,
        outputTokens: anthropic.billed.outputTokens - billedBefore.outputTokens,
        requests: anthropic.billed.requests - billedBefore.requests,
      };
      expect(record.usage).toMatchObject(billed);
    } finally {
      await run.close();
    }
  });

  it('judges and extends runs under random replies without inventing a verdict or a cluster', async () => {
    for (const seed of [0, 4, 8]) {
      const run = await open(100 + seed);
      try {
        const { doc } = await generate(run.loaded, run);
        const vectors = await wordEmbedder.embed(doc.items.map((i) => i.summary));
        const report = await judgeRun(
          doc,
          vectors,
          { llm: run.llm, concurrency: 4 },
          { sample: 12, seed, facets: run.loaded.config.facets },
        );
        for (const score of Object.values(report.scores)) {
          if (!score) continue;
          expect(score.passed).toBeLessThanOrEqual(score.judged);
          expect(score.score === null || (score.score >= 0 && score.score <= 1)).toBe(true);
        }
        // Facet checks: one per sampled item and asked facet, each judged or failed.
        expect(report.facets.map((f) => f.facet)).toEqual(Object.keys(run.loaded.config.facets));
        for (const f of report.facets) {
          expect(f.judged + f.failed).toBe(12);
          if (f.kind === 'category') expect(f.agreed).toBeLessThanOrEqual(f.judged);
          else expect(f.meanAbsDifference ?? 0).toBeLessThanOrEqual(FACETS.effort.max - 1);
        }
        // Every judged item is one of the run's, under one of its clusters.
        const ids = new Set(doc.items.map((i) => i.id));
        for (const item of report.items) expect(ids.has(item.id)).toBe(true);
        const extended = await extendRun(run.loaded, {
          ...run,
          loadItems: async () => ({
            items: Array.from({ length: 8 }, (_, i) => ({
              id: `new-${i}`,
              inputs: { question: text(i) },
              metadata: {},
            })),
            problems: [],
            description: 'new items',
          }),
        });
        const base = new Set(extended.doc.clusters.filter((c) => c.level === 0).map((c) => c.id));
        for (const p of extended.placements) {
          if (p.status === 'placed') expect(base.has(p.cluster as number)).toBe(true);
          else expect(p.cluster).toBeNull();
        }
        // Added items carry the built-ins and every asked facet; clusters count all members.
        const asked = Object.keys(run.loaded.config.facets);
        for (const item of extended.doc.items.filter((i) => i.extension !== undefined)) {
          for (const name of ['language', 'turns', 'length', ...asked])
            expect(item.facets?.[name], `${item.id} ${name}`).toBeDefined();
        }
        for (const c of extended.doc.clusters) {
          const turns = c.facets?.turns;
          expect(turns?.kind === 'scale' && turns.n, `${c.level}:${c.id}`).toBe(c.size);
        }
      } finally {
        await run.close();
      }
    }
  });
});
