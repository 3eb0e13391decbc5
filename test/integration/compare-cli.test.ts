import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Comparison } from '../../lib/compare/types.js';
import { type HierarchyDoc, hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import type { VizRuns } from '../../lib/viz/format.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer } from '../../lib/viz/server.js';
import { type CliRun, runCli } from '../helpers/cli.js';
import { topicItems } from '../helpers/topic-items.js';

async function config(dir: string, name: string, lines: readonly string[]): Promise<string> {
  await writeFile(join(dir, `${name}.jsonl`), `${lines.join('\n')}\n`);
  const path = join(dir, `${name}.json`);
  await writeFile(
    path,
    JSON.stringify({
      source: { file: `${name}.jsonl` },
      hierarchy: [3, 2],
      summary_prompt: '{{example.inputs.messages}}',
      save_path: `runs/${name}`,
      llm: { provider: 'offline' },
      embedder: { provider: 'tfidf' },
    }),
  );
  return `${name}.json`;
}

const readDoc = async (path: string): Promise<HierarchyDoc> =>
  hierarchySchema.parse(JSON.parse(await readFile(path, 'utf8')));

describe('open-clio compare', () => {
  let dir: string;
  let generated: CliRun[];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-compare-'));
    // B: billing about as before, twice the sign-in trouble, notifications appear, mobile is gone.
    const a = await config(dir, 'a', [
      ...topicItems('billing', 0, 60),
      ...topicItems('login', 0, 60),
      ...topicItems('mobile', 0, 60),
    ]);
    const b = await config(dir, 'b', [
      ...topicItems('billing', 0, 80),
      ...topicItems('login', 0, 120),
      ...topicItems('notifications', 0, 60),
    ]);
    generated = await Promise.all(
      [a, b].map((c) => runCli(['generate', '--config', c, '--quiet', '--no-viz'], dir)),
    );
  }, 60_000);

  it('reports the new and the vanished topic, as a table and as JSON', async () => {
    for (const run of generated) expect(run.code, run.stderr).toBe(0);
    const [table, json] = await Promise.all([
      runCli(['compare', 'runs/a', 'runs/b/hierarchy.json'], dir),
      runCli(['compare', 'runs/a', 'runs/b', '--json'], dir),
    ]);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^A: runs\/a {2}\(run .+, 180 items\)/);
    expect(table.stdout).toContain('Level 0 (base): 3 → 3 clusters');
    expect(table.stdout).toMatch(/\n {2}new {7}/);
    expect(json.code, json.stderr).toBe(0);
    const comparison = JSON.parse(json.stdout) as Comparison;
    expect(comparison.levels.map((l) => l.level)).toEqual([0, 1]);
    const [docA, docB] = await Promise.all(
      ['a', 'b'].map((r) => readDoc(join(dir, 'runs', r, 'hierarchy.json'))),
    );
    // Each base cluster is one topic; name each change by the topic of its cluster.
    const topicOf = (doc: HierarchyDoc | undefined, id: number | undefined) =>
      doc?.items.find((i) => i.path[0] === id)?.label;
    const changes = comparison.levels[0]?.changes.map((c) => [
      topicOf(c.b ? docB : docA, c.b?.id ?? c.a?.id),
      c.status,
    ]);
    expect(Object.fromEntries(changes ?? [])).toEqual({
      billing: 'stable',
      login: 'growing',
      notifications: 'new',
      mobile: 'vanished',
    });
  });

  it('says what it needs when given one run or a missing one', async () => {
    const [one, missing] = await Promise.all([
      runCli(['compare', 'runs/a'], dir),
      runCli(['compare', 'runs/a', 'runs/nope'], dir),
    ]);
    expect(one.code).toBe(1);
    expect(one.stderr).toContain('compare takes two runs');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nothing at');
  });

  it("extends a run, then compares it with the run it replaced, also in the explorer's data", async () => {
    const grown = [
      ...topicItems('billing', 0, 60),
      ...topicItems('login', 0, 80),
      ...topicItems('mobile', 0, 60),
    ];
    await writeFile(join(dir, 'a.jsonl'), `${grown.join('\n')}\n`);
    const extended = await runCli(['extend', '--config', 'a.json'], dir);
    expect(extended.code, extended.stderr).toBe(0);
    expect(extended.stdout).toMatch(/Extended the run in .+: \d+ of 20 new items placed/);

    const compared = await runCli(['compare', '--config', 'a.json', '--json'], dir);
    expect(compared.code, compared.stderr).toBe(0);
    const comparison = JSON.parse(compared.stdout) as Comparison;
    expect(comparison.a.items).toBe(180);
    expect(comparison.b.items).toBeGreaterThan(180);
    // Extending never makes or removes a cluster, and keys pair every one.
    for (const level of comparison.levels) {
      expect(level.counts.new + level.counts.vanished).toBe(0);
      expect(level.changes.every((c) => c.matchedBy === 'key')).toBe(true);
    }

    const runs = await findRuns(join(dir, 'runs', 'a'));
    const dist = join(dir, 'dist');
    await mkdir(dist);
    const server = await startVizServer({ runs, distDir: dist });
    try {
      const list = (await (await fetch(`${server.url}data/runs.json`)).json()) as VizRuns;
      expect(list.runs.map((r) => [r.key, r.previousOf])).toEqual([
        ['a', undefined],
        ['previous', 'a'],
      ]);
      const response = await fetch(`${server.url}data/a/compare/previous.json`);
      expect(response.status).toBe(200);
      const served = (await response.json()) as Comparison;
      expect(served.levels).toEqual(comparison.levels);
      expect((await fetch(`${server.url}data/a/compare/nope.json`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
