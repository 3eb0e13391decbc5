import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { runCli } from '../helpers/cli.js';

const KEY = 'test-key-not-real';
const TOPICS = [
  'refund a double charge on my invoice',
  'cannot log in after resetting my password',
  'export all projects to a csv file',
];

let fake: FakeLangSmith;
beforeAll(async () => {
  fake = await FakeLangSmith.start({ apiKey: KEY });
  fake.addDataset(
    'support-tickets',
    Array.from({ length: 90 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      inputs: { messages: [{ role: 'user', content: `${TOPICS[i % 3]} (ticket ${i})` }] },
      outputs: { answer: 'we are on it' },
      metadata: { label: String(i % 3) },
    })),
  );
});
afterAll(() => fake.close());

/** Runs `open-clio generate --quiet` on a config, as a user with only LangSmith keys would. */
async function generateWith(config: Record<string, unknown>) {
  const dir = await mkdtemp(join(tmpdir(), 'clio-ls-'));
  const base = { save_path: 'out', partitions: null, embedder: { provider: 'tfidf' } };
  await writeFile(join(dir, 'config.json'), JSON.stringify({ ...base, ...config }));
  const { code, stdout, stderr } = await runCli(
    ['generate', '--config', 'config.json', '--quiet'],
    dir,
    {
      HOME: dir,
      LANGSMITH_API_KEY: KEY,
      LANGSMITH_ENDPOINT: fake.url,
    },
  );
  expect(code, stderr).toBe(0);
  expect(stdout + stderr).not.toContain(KEY);
  const runJson = await readFile(join(dir, 'out', 'run.json'), 'utf8');
  expect(runJson).not.toContain(KEY);
  return { stdout, doc: JSON.parse(await readFile(join(dir, 'out', 'hierarchy.json'), 'utf8')) };
}

it('generate on a dataset_name config reads the dataset through the LangSmith API', async () => {
  const { stdout, doc } = await generateWith({
    dataset_name: 'support-tickets',
    hierarchy: [6, 3],
    summary_prompt: 'Summarize: {{example.inputs.messages}}',
  });
  expect(stdout).toMatch(/Clustered 90 items/);
  expect(doc.run.source).toContain('support-tickets');
  expect(doc.items).toHaveLength(90);
  expect(doc.items[0].label).toBe('0');
});

it('generate on a project_name config clusters the threads of the time window', async () => {
  const runs = Array.from({ length: 120 }, (_, i) => ({
    id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    start_time: new Date(Date.UTC(2025, 6, 19, 0, i)).toISOString(),
    inputs: {
      messages: [{ role: 'user', content: `${TOPICS[Math.floor(i / 2) % 3]} (turn ${i})` }],
    },
    outputs: { answer: 'ok' },
    // Two turns per conversation.
    metadata: { thread_id: `thread-${Math.floor(i / 2)}` },
  }));
  fake.addProject('chat-app', runs);
  const { stdout, doc } = await generateWith({
    project_name: 'chat-app',
    start_time: '2025-07-19T00:00:00Z',
    end_time: '2025-07-19T01:00:00Z',
    hierarchy: [5, 2],
    summary_prompt: 'Summarize this run: {{run.inputs}} {{run.outputs}}',
  });
  // 120 runs one minute apart from 00:00; the window [00:00, 01:00) holds 60 runs = 30 threads.
  expect(stdout).toMatch(/Clustered 30 items/);
  expect(doc.run.window).toEqual({
    start: '2025-07-19T00:00:00.000Z',
    end: '2025-07-19T01:00:00.000Z',
  });
  expect(doc.items.every((item: { id: string }) => item.id.startsWith('thread-'))).toBe(true);
});
