import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type HierarchyDoc, hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import type { Trends } from '../../lib/trends/trends.js';
import { type CliRun, runCli } from '../helpers/cli.js';
import { topicItems } from '../helpers/topic-items.js';

/** Three windows of one config: mobile fades out, sign-in trouble doubles, notifications appear. */
const WINDOWS = [
  [...topicItems('billing', 0, 60), ...topicItems('login', 0, 60), ...topicItems('mobile', 0, 60)],
  [
    ...topicItems('billing', 60, 120),
    ...topicItems('login', 60, 120),
    ...topicItems('mobile', 60, 100),
  ],
  [
    ...topicItems('billing', 120, 180),
    ...topicItems('login', 120, 240),
    ...topicItems('notifications', 0, 60),
  ],
];

const readDoc = async (path: string): Promise<HierarchyDoc> =>
  hierarchySchema.parse(JSON.parse(await readFile(path, 'utf8')));

describe('open-clio trends', () => {
  let dir: string;
  const runs: CliRun[] = [];
  const docs: HierarchyDoc[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-trends-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        source: { file: 'data.jsonl' },
        hierarchy: [3, 2],
        summary_prompt: '{{example.inputs.messages}}',
        save_path: 'results',
        llm: { provider: 'offline' },
      }),
    );
    for (const lines of WINDOWS) {
      await writeFile(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
      runs.push(await runCli(['generate', '--config', 'config.json', '--quiet', '--no-viz'], dir));
      docs.push(await readDoc(join(dir, 'results', 'hierarchy.json')));
    }
  }, 120_000);

  it('prints every run in time order with one share per run for each cluster', async () => {
    for (const run of runs) expect(run.code, run.stderr).toBe(0);
    const printed = await runCli(['trends', '--config', 'config.json', '--json'], dir);
    expect(printed.code, printed.stderr).toBe(0);
    const trends = JSON.parse(printed.stdout) as Trends;
    expect(trends.runs.map((r) => [r.runId, r.items])).toEqual(
      docs.map((d) => [d.run.runId, d.items.length]),
    );
    expect(trends.runs.map((r) => r.items)).toEqual([180, 160, 240]);
    expect(trends.level).toBe('top');
    for (const cluster of trends.clusters) expect(cluster.shares).toHaveLength(3);
    // The top level holds every item of every run.
    for (let r = 0; r < 3; r++) {
      const total = trends.clusters.reduce((sum, c) => sum + (c.shares[r] ?? 0), 0);
      expect(total).toBeCloseTo(1, 9);
    }
    const latestTop = docs[2]?.clusters.filter((c) => c.level === 1).map((c) => c.key);
    expect(
      trends.clusters
        .filter((c) => (c.shares[2] ?? 0) > 0)
        .map((c) => c.key)
        .sort(),
    ).toEqual(latestTop?.sort());
  });

  it('flags the new, growing and vanished topics at the base level', async () => {
    const printed = await runCli(
      ['trends', '--config', 'config.json', '--json', '--level', 'base'],
      dir,
    );
    expect(printed.code, printed.stderr).toBe(0);
    const trends = JSON.parse(printed.stdout) as Trends;
    // Each base cluster is one topic: name each row by the topic of its members in some run.
    const topicOf = (key: string) => {
      for (const doc of [...docs].reverse()) {
        const cluster = doc.clusters.find((c) => c.level === 0 && c.key === key);
        if (cluster) return doc.items.find((i) => i.path[0] === cluster.id)?.label;
      }
      return undefined;
    };
    const rows = Object.fromEntries(
      trends.clusters.map((c) => [topicOf(c.key), { status: c.status, shares: c.shares }]),
    );
    expect(Object.keys(rows).sort()).toEqual(['billing', 'login', 'mobile', 'notifications']);
    expect(rows.notifications?.status).toBe('new');
    expect(rows.notifications?.shares.slice(0, 2)).toEqual([0, 0]);
    expect(rows.mobile?.status).toBe('vanished');
    expect(rows.mobile?.shares[1]).toBeCloseTo(40 / 160, 9);
    expect(rows.mobile?.shares[2]).toBe(0);
    expect(rows.login?.status).toBe('growing');
    expect(rows.login?.shares).toEqual([60 / 180, 60 / 160, 120 / 240]);
    expect(rows.billing?.status).toBe('shrinking');

    const table = await runCli(['trends', '--config', 'config.json', '--level', 'base'], dir);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout).toMatch(/^3 runs, oldest first; shares of each run's items, base level\./);
    expect(table.stdout).toMatch(/\n {2}#1 {2}run at .+ \(run .+, 180 items\)/);
    expect(table.stdout).toMatch(/\nnew {7}.+ +– +– +\d+\.\d%/);
  });

  it('says what it needs when asked for a level the runs lack, or when there is no history', async () => {
    await writeFile(
      join(dir, 'fresh.json'),
      JSON.stringify({
        source: { file: 'data.jsonl' },
        hierarchy: [2],
        summary_prompt: 'x {{example.inputs}}',
        save_path: 'fresh',
      }),
    );
    const [deep, odd, none] = await Promise.all([
      runCli(['trends', '--config', 'config.json', '--level', '5'], dir),
      runCli(['trends', '--config', 'config.json', '--level', 'middle'], dir),
      runCli(['trends', '--config', 'fresh.json'], dir),
    ]);
    expect(deep.code).toBe(1);
    expect(deep.stderr).toContain('no kept run has level 5: levels go from 0 (base) to 1 (top)');
    expect(odd.code).toBe(2);
    expect(odd.stderr).toContain('--level expects top, base or a level number, got "middle"');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('fresh holds no run history yet');
  });

  it('counts an extended run once, with the items extend added', async () => {
    const grown = [...(WINDOWS[2] ?? []), ...topicItems('notifications', 60, 80)];
    await writeFile(join(dir, 'data.jsonl'), `${grown.join('\n')}\n`);
    const extended = await runCli(['extend', '--config', 'config.json'], dir);
    expect(extended.code, extended.stderr).toBe(0);
    const placed = (await readDoc(join(dir, 'results', 'hierarchy.json'))).items.length;
    expect(placed).toBeGreaterThan(240);
    const printed = await runCli(['trends', '--config', 'config.json', '--json'], dir);
    const trends = JSON.parse(printed.stdout) as Trends;
    expect(trends.runs.map((r) => [r.runId, r.items])).toEqual([
      [docs[0]?.run.runId, 180],
      [docs[1]?.run.runId, 160],
      [docs[2]?.run.runId, placed],
    ]);
  });
});
