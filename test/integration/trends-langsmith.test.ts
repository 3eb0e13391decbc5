import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Trends } from '../../lib/trends/trends.js';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { runCli } from '../helpers/cli.js';

const KEY = 'test-key-not-real';
const TOPICS = [
  'refund a double charge on my invoice',
  'cannot log in after resetting my password',
  'export all projects to a csv file',
];
const HOUR = (h: number) => new Date(Date.UTC(2025, 6, 19, h)).toISOString();

let fake: FakeLangSmith;
beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  // Three hours of a tracing project, one run a minute, two turns per thread; hour 2 has twice
  // the threads of hour 0.
  const runs = [0, 1, 2].flatMap((hour) =>
    Array.from({ length: 40 * (hour + 1) }, (_, i) => ({
      id: `10000000-0000-4000-8${hour}00-${String(i).padStart(12, '0')}`,
      start_time: new Date(Date.UTC(2025, 6, 19, hour, 0, 20 * i)).toISOString(),
      inputs: {
        messages: [{ role: 'user', content: `${TOPICS[Math.floor(i / 2) % 3]} (turn ${i})` }],
      },
      outputs: { answer: 'ok' },
      metadata: { thread_id: `thread-${hour}-${Math.floor(i / 2)}` },
    })),
  );
  fake.addProject('chat-app', runs);
  // One hour of a support app whose every export thread comes from one user.
  fake.addProject(
    'support-app',
    Array.from({ length: 60 }, (_, i) => {
      const topic = i % 3;
      return {
        id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        start_time: new Date(Date.UTC(2025, 6, 19, 0, 0, 30 * i)).toISOString(),
        inputs: { messages: [{ role: 'user', content: `${TOPICS[topic]} (ticket ${i})` }] },
        outputs: { answer: 'ok' },
        metadata: { thread_id: `support-${i}`, user_id: topic === 2 ? 'u-export' : `u-${i}` },
      };
    }),
  );
});
afterAll(() => fake.close());

it('trends over three consecutive windows of a tracing project', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clio-ls-trends-'));
  const env = { HOME: dir, LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: fake.url };
  for (const hour of [0, 1, 2]) {
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        project_name: 'chat-app',
        start_time: HOUR(hour),
        end_time: HOUR(hour + 1),
        hierarchy: [3, 2],
        summary_prompt: 'Summarize this run: {{run.inputs}}',
        save_path: 'out',
        llm: { provider: 'offline' },
      }),
    );
    const run = await runCli(
      ['generate', '--config', 'config.json', '--quiet', '--no-viz'],
      dir,
      env,
    );
    expect(run.code, run.stderr).toBe(0);
  }
  const printed = await runCli(['trends', '--config', 'config.json', '--json'], dir, env);
  expect(printed.code, printed.stderr).toBe(0);
  const trends = JSON.parse(printed.stdout) as Trends;
  expect(trends.runs.map((r) => [r.window, r.items])).toEqual([
    [{ start: HOUR(0), end: HOUR(1) }, 20],
    [{ start: HOUR(1), end: HOUR(2) }, 40],
    [{ start: HOUR(2), end: HOUR(3) }, 60],
  ]);
  for (const cluster of trends.clusters) expect(cluster.shares).toHaveLength(3);
  for (let r = 0; r < 3; r++) {
    expect(trends.clusters.reduce((sum, c) => sum + (c.shares[r] ?? 0), 0)).toBeCloseTo(1, 9);
  }
  // The same three topics every hour: each keeps its key, so each is one row with no gaps.
  const base = await runCli(
    ['trends', '--config', 'config.json', '--json', '--level', 'base'],
    dir,
    env,
  );
  const rows = (JSON.parse(base.stdout) as Trends).clusters;
  expect(rows).toHaveLength(3);
  for (const row of rows) {
    expect(row.shares.every((share) => share > 0)).toBe(true);
    expect(row.status).toBe('stable');
  }
  const table = await runCli(['trends', '--config', 'config.json'], dir, env);
  expect(table.stdout).toContain(`#3  ${HOUR(2)} – ${HOUR(3)}  (run `);
}, 120_000);

it('min_distinct_users counts the users LangSmith threads name, and withholds a one-user topic', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clio-ls-users-'));
  const env = { HOME: dir, LANGSMITH_API_KEY: KEY, LANGSMITH_ENDPOINT: fake.url };
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      project_name: 'support-app',
      start_time: HOUR(0),
      end_time: HOUR(1),
      hierarchy: [3],
      summary_prompt: 'Summarize this run: {{run.inputs}}',
      save_path: 'out',
      llm: { provider: 'offline' },
      min_distinct_users: 2,
    }),
  );
  const run = await runCli(['generate', '--config', 'config.json', '--no-viz'], dir, env);
  expect(run.code, run.stderr).toBe(0);
  // Every thread names its user, so nothing was counted by thread or item.
  expect(run.stderr).not.toContain('name no user');
  const doc = JSON.parse(await readFile(join(dir, 'out', 'hierarchy.json'), 'utf8'));
  expect(doc.items).toHaveLength(40);
  expect(JSON.stringify(doc)).not.toContain('export all projects');
  expect(doc.run.counts.withheld).toBe(20);
  expect(doc.run.privacy.withheldClusters).toEqual({ size: 0, users: 1 });
});
