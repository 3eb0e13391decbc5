import { readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { type CliRun, runCli, startCli } from '../helpers/cli.js';
import { demoCopy } from '../helpers/demo.js';
import { hierarchyNameProblems } from '../helpers/readable-names.js';

const start = startCli;
const run = runCli;
type Run = CliRun;

describe('open-clio generate on the demo', () => {
  let dir: string;
  let first: Run;
  beforeAll(async () => {
    dir = await demoCopy();
    first = await run(['generate', '--config', 'configs/demo.json'], dir);
  }, 120_000);

  it('exits 0, prints progress and the top-level overview', () => {
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/summarize: 1500 to do/);
    expect(first.stderr).toMatch(/embed: done in/);
    expect(first.stdout).toMatch(/Clustered 1500 items into 36 → 12 → 5 clusters/);
    expect(first.stdout).toContain(join(dir, 'demo_results'));
    const overview = first.stdout.split('Top-level clusters:')[1]?.trim().split('\n') ?? [];
    expect(overview).toHaveLength(5);
    expect(overview[0]).toMatch(/\d+\s+\d+\.\d%/);
  });

  it('writes outputs a user can read: every item, every level, labels kept', async () => {
    const results = join(dir, 'demo_results');
    const combined = parse(await readFile(join(results, 'combined.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    expect(combined).toHaveLength(1500);
    expect(Object.keys(combined[0] ?? {})).toEqual([
      'example_id',
      'full_example',
      'summary',
      'partition',
      'base_cluster_id',
      'base_cluster_name',
      'level_1_id',
      'level_1_name',
      'top_cluster_id',
      'top_cluster_name',
      'label',
      'facet_language',
      'facet_turns',
      'facet_length',
    ]);
    expect(combined.every((r) => r.summary && r.top_cluster_name && r.label)).toBe(true);
    expect(combined.every((r) => Number(r.facet_turns) >= 1 && Number(r.facet_length) > 0)).toBe(
      true,
    );
    const english = combined.filter((r) => r.facet_language === 'en').length;
    expect(english / combined.length).toBeGreaterThan(0.9);
    expect(combined[0]?.full_example).toContain('"messages"');
    for (const [level, count] of [
      [0, 36],
      [1, 12],
      [2, 5],
    ] as const) {
      const rows = parse(await readFile(join(results, `level_${level}_clusters.csv`), 'utf8'), {
        columns: true,
      }) as Record<string, string>[];
      expect(rows).toHaveLength(count);
      expect(rows.reduce((s, r) => s + Number(r.size), 0)).toBe(1500);
    }
    const doc = hierarchySchema.parse(
      JSON.parse(await readFile(join(results, 'hierarchy.json'), 'utf8')),
    );
    expect(doc.run.counts).toMatchObject({
      loaded: 1500,
      sampled: 1500,
      summarized: 1500,
      failed: 0,
    });
    const record = JSON.parse(await readFile(join(results, 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'done', stage: 'done', error: null });
  });

  it('names every level as a person would: phrases, no greetings, distinct siblings', async () => {
    const hierarchy = JSON.parse(
      await readFile(join(dir, 'demo_results', 'hierarchy.json'), 'utf8'),
    );
    expect(hierarchyNameProblems(hierarchy.clusters)).toEqual([]);
  });

  it('evaluates the run: fit per level and agreement with the labels', async () => {
    const result = await run(['evaluate', '--config', 'configs/demo.json', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    const evaluation = JSON.parse(result.stdout);
    expect(evaluation.fit.map((f: { level: number }) => f.level)).toEqual([0, 1, 2]);
    // Membership is decided on hybrid vectors (cluster_vectors), so some items sit nearer
    // another centroid in the embedder's own space than their cluster's: most still do not.
    expect(evaluation.fit[0].nearestOwn).toBeGreaterThan(0.8);
    // The demo's top level scored 0.36 on the plain embeddings; hybrid vectors reach ~0.46.
    expect(evaluation.labels[2].nmi).toBeGreaterThan(0.4);
    const report = await readFile(join(dir, 'demo_results', 'evaluation.md'), 'utf8');
    expect(report).toContain('## Agreement with labels');
  });

  it('re-runs from the cache without recomputing anything', async () => {
    const again = await run(['generate', '--config', 'configs/demo.json', '--quiet'], dir);
    expect(again.code, again.stderr).toBe(0);
    const doc = JSON.parse(await readFile(join(dir, 'demo_results', 'hierarchy.json'), 'utf8'));
    expect(doc.items).toHaveLength(1500);
    const record = JSON.parse(await readFile(join(dir, 'demo_results', 'run.json'), 'utf8'));
    expect(record.timingsMs.embed).toBeLessThan(1000);
  });
});

describe('an interrupted run', () => {
  it('resumes: a run killed while embedding redoes only what was in flight', async () => {
    const dir = await demoCopy({ sample: 700 });
    const cache = join(dir, 'demo_results', 'cache', 'embeddings.jsonl');
    const { child, done } = start(['generate', '--config', 'configs/demo.json'], dir);
    // Kill it as soon as the first chunk of embeddings is on disk.
    for (let i = 0; i < 600; i++) {
      const size = await stat(cache).then(
        (s) => s.size,
        () => 0,
      );
      if (size > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGKILL');
    const killed = await done;
    expect(killed.code).toBeNull();
    const cached = (await readFile(cache, 'utf8')).split('\n').filter(Boolean).length;
    expect(cached).toBeGreaterThan(0);
    expect(cached).toBeLessThan(700);

    const resumed = await run(['generate', '--config', 'configs/demo.json'], dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('700 summaries (700 cached)');
    const reused = Number(/700 embeddings \((\d+) cached/.exec(resumed.stderr)?.[1]);
    expect(reused).toBeGreaterThanOrEqual(cached - 5); // duplicate summaries share one cache line
  }, 120_000);
});

describe('failures', () => {
  it('a bad config exits non-zero naming each key', async () => {
    const dir = await demoCopy({ hierachy: [5, 2], sample: -3 });
    const result = await run(['generate', '--config', 'configs/demo.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/hierachy.*did you mean `hierarchy`/);
    expect(result.stderr).toMatch(/sample/);
    expect(result.stdout).toBe('');
  });

  it('a missing config file names the path', async () => {
    const result = await run(['generate', '--config', 'nowhere.json'], tmpdir());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not found: .*nowhere\.json/);
  });

  it('a LangSmith source without a key stops naming the variable, and records the failure', async () => {
    const dir = await demoCopy();
    await writeFile(
      join(dir, 'ls.json'),
      JSON.stringify({
        dataset_name: 'unthread-data',
        hierarchy: [5],
        summary_prompt: '{{example}}',
        save_path: 'out',
      }),
    );
    const result = await run(['generate', '--config', 'ls.json'], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/LANGSMITH_API_KEY/);
    const record = JSON.parse(await readFile(join(dir, 'out', 'run.json'), 'utf8'));
    expect(record).toMatchObject({ status: 'failed', stage: 'load' });
  });
});
