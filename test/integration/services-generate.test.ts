import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
} from '../fakes/anthropic-server.js';
import { type FakeServer, startOpenAiServer, TEST_KEY } from '../fakes/embedding-servers.js';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { runCli } from '../helpers/cli.js';

/**
 * The whole `generate` command as a user with real keys runs it, against loopback stand-ins for
 * LangSmith, the Anthropic API and an OpenAI-compatible embeddings API.
 */
const TOPICS = {
  refund: 'Handle billing and refunds',
  password: 'Restore account access',
  export: 'Move data in and out',
} as const;
const topicOf = (text: string) =>
  (Object.keys(TOPICS) as (keyof typeof TOPICS)[]).find((t) => text.toLowerCase().includes(t)) ??
  'refund';
const listed = (text: string) => [...text.matchAll(/^- (.+)$/gm)].map((m) => m[1] as string);

/** What a cooperative model would answer to each of our tasks. */
function answer(r: FakeRequest): unknown {
  switch (r.tool) {
    case 'record_summary':
      // Distinct per item (its case number), so the base level can hold six clusters.
      return {
        summary: `Customer asks about ${topicOf(r.user)} for their account, case ${/number (\d+)/.exec(r.user)?.[1]}`,
      };
    case 'name_cluster':
    case 'name_category': {
      // Only the group's own members: the prompt also shows neighbours NOT in the group.
      const topic = topicOf(r.user.split('NOT in the group')[0] ?? '');
      return { name: `Requests about ${topic}`, description: `Customers asking about ${topic}.` };
    }
    case 'propose_categories':
      return {
        names: [
          ...new Set([...r.user.matchAll(/\d+\. (.+?):/g)].map((m) => TOPICS[topicOf(m[1] ?? '')])),
        ],
      };
    case 'final_categories':
      return { names: listed(r.user) };
    case 'assign_category': {
      const cluster = /Cluster: (.+)/.exec(r.user)?.[1] ?? '';
      return { parent: TOPICS[topicOf(cluster)] };
    }
    default:
      throw new Error(`unexpected tool ${r.tool}`);
  }
}

let langsmith: FakeLangSmith;
let anthropic: FakeAnthropic;
let embeddings: FakeServer;
beforeAll(async () => {
  langsmith = await FakeLangSmith.start({ apiKey: TEST_KEY });
  langsmith.addDataset(
    'tickets',
    Array.from({ length: 60 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      inputs: {
        messages: [
          { role: 'user', content: `I need help: ${Object.keys(TOPICS)[i % 3]} issue number ${i}` },
        ],
      },
      metadata: { label: String(i % 3) },
    })),
  );
  anthropic = await startFakeAnthropic({
    apiKey: TEST_KEY,
    answer,
    faults: { rate_limit: 0.05 },
    retryAfterSeconds: 0,
  });
  embeddings = await startOpenAiServer();
});
afterAll(async () => {
  await Promise.all([langsmith.close(), anthropic.close(), embeddings.close()]);
});

it('generate with LangSmith, Claude and an embeddings API names a real hierarchy and prices it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'clio-services-'));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      dataset_name: 'tickets',
      hierarchy: [6, 3],
      summary_prompt: 'Summarize what the customer needs: {{example.inputs.messages}}',
      save_path: 'out',
      llm: { provider: 'anthropic' },
      embedder: { provider: 'openai', base_url: embeddings.url, model: 'text-embedding-3-small' },
    }),
  );
  // Keys only in .env, as many users keep them.
  await writeFile(
    join(dir, '.env'),
    `LANGSMITH_API_KEY=${TEST_KEY}\nANTHROPIC_API_KEY=${TEST_KEY}\nOPENAI_API_KEY=${TEST_KEY}\n`,
  );
  const { code, stdout, stderr } = await runCli(
    ['generate', '--config', 'config.json', '--no-viz'],
    dir,
    {
      HOME: dir,
      LANGSMITH_ENDPOINT: langsmith.url,
      ANTHROPIC_BASE_URL: anthropic.url,
    },
  );
  expect(code, stderr).toBe(0);
  expect(stdout + stderr).not.toContain(TEST_KEY);

  const doc = JSON.parse(await readFile(join(dir, 'out', 'hierarchy.json'), 'utf8'));
  expect(doc.run.llm).toBe('anthropic:claude-haiku-5-5');
  expect(doc.run.embedder).toContain('text-embedding-3-small');
  expect(doc.items).toHaveLength(60);
  const top = doc.clusters
    .filter((c: { level: number }) => c.level === 1)
    .map((c: { name: string }) => c.name);
  expect(top.sort()).toEqual([
    'Requests about export',
    'Requests about password',
    'Requests about refund',
  ]);
  // Every item sits under the top cluster of its own topic.
  for (const item of doc.items) {
    const parent = doc.clusters.find(
      (c: { level: number; id: number }) => c.level === 1 && c.id === item.path[1],
    );
    expect(parent.name).toBe(
      `Requests about ${['refund', 'password', 'export'][Number(item.label)]}`,
    );
  }
  expect(doc.run.usage.requests).toBeGreaterThan(60);
  expect(doc.run.costByStage.summarize).toBeGreaterThan(0);
  expect(doc.run.costByStage.cluster).toBeGreaterThan(0);
  expect(doc.run.costUsd).toBeCloseTo(
    doc.run.costByStage.summarize + doc.run.costByStage.cluster,
    10,
  );
  expect(anthropic.counts.ok).toBeGreaterThan(60);
  expect(await readFile(join(dir, 'out', 'run.json'), 'utf8')).not.toContain(TEST_KEY);
});
