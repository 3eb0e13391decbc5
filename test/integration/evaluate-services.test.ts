import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JudgeReport } from '../../lib/evaluate/judge.js';
import { createWriteBackClient, writeBack } from '../../lib/evaluate/write-back.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { loadVizData } from '../../lib/viz/prepare.js';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
} from '../fakes/anthropic-server.js';
import { type FakeServer, startOpenAiServer, TEST_KEY } from '../fakes/embedding-servers.js';
import { FakeLangSmith } from '../fakes/langsmith-server.js';
import { runCli } from '../helpers/cli.js';

/**
 * `generate` then `evaluate` as a user with keys runs them, against loopback LangSmith, Anthropic
 * and embeddings stand-ins: the judge on a dataset with `--write-back`, and on a tracing project.
 */
const TOPICS = ['refund', 'password', 'export'] as const;
const PARTITIONS = { Billing: 'refunds and payments', Account: 'passwords and data exports' };
const topicOf = (text: string) => TOPICS.find((t) => text.toLowerCase().includes(t)) ?? 'refund';
const partitionOf = (text: string) => (topicOf(text) === 'refund' ? 'Billing' : 'Account');
const summaryOf = (r: FakeRequest) => /Summary: (.*)/.exec(r.user)?.[1] ?? r.user;

/** The `mood` facet as the summary call answers it: only a password request is taken calmly. */
const moodOf = (text: string) => (topicOf(text) === 'password' ? 'Calm' : 'Angry');

/** A cooperative model for the tasks of generate (with partitions) and of the judge. */
function answer(r: FakeRequest): unknown {
  const topic = topicOf(summaryOf(r));
  switch (r.tool) {
    case 'record_summary': {
      // Only the item's text: the partition list after it names every topic.
      const text = r.user.split('Also choose')[0] ?? '';
      const reply = {
        summary: `Customer asks about ${topicOf(text)}`,
        partition: partitionOf(text),
      };
      return r.system.includes('in `facets`')
        ? { ...reply, facets: { mood: moodOf(text) } }
        : reply;
    }
    case 'name_cluster': {
      const own = topicOf(r.user.split('NOT in the group')[0] ?? '');
      return { name: `Requests about ${own}`, description: `Customers asking about ${own}.` };
    }
    case 'choose_partition':
      return { partition: partitionOf(summaryOf(r)), reason: 'By topic.' };
    case 'rate_cluster_fit': {
      const cluster = /one of \d+ at its level:\n(.+)/.exec(r.user)?.[1] ?? '';
      const verdict = { fits: topicOf(cluster) === topic, reason: 'Topic of the cluster.' };
      if (!r.user.includes('in `facets`')) return verdict;
      // The judge reads export requests as calm where the summary call found them angry.
      const mood = topic === 'export' ? 'Calm' : moodOf(summaryOf(r));
      return { ...verdict, facets: { mood } };
    }
    case 'pick_best_cluster': {
      const names = [...r.user.matchAll(/^\d+\. (.+?):/gm)].map((m) => m[1] as string);
      const best = names.findIndex((n) => topicOf(n) === topic) + 1 || 1;
      return { best, also_fits: [], reason: 'Same topic.' };
    }
    case 'compare_clusters': {
      const [a = '', b = ''] = [...r.user.matchAll(/^Cluster [AB]: (.+?):/gm)].map((m) => m[1]);
      return { distinct: a !== b, reason: a === b ? 'Same topic.' : 'Different topics.' };
    }
    default:
      throw new Error(`unexpected tool ${r.tool}`);
  }
}

const message = (i: number) => ({
  messages: [{ role: 'user', content: `Help with my ${TOPICS[i % 3]}, case ${i}` }],
});

let langsmith: FakeLangSmith;
let anthropic: FakeAnthropic;
let embeddings: FakeServer;
let datasetId: string;
beforeAll(async () => {
  langsmith = await FakeLangSmith.start({ apiKey: TEST_KEY });
  datasetId = langsmith.addDataset(
    'tickets',
    Array.from({ length: 30 }, (_, i) => ({
      id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      inputs: message(i),
      metadata: { label: TOPICS[i % 3], channel: 'web' },
    })),
  );
  const recent = Date.now() - 10 * 60_000;
  langsmith.addProject(
    'chat-app',
    Array.from({ length: 18 }, (_, i) => ({
      id: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      start_time: new Date(recent + i * 1000).toISOString(),
      inputs: message(i),
      outputs: { answer: 'Sure.' },
    })),
  );
  anthropic = await startFakeAnthropic({ apiKey: TEST_KEY, answer });
  embeddings = await startOpenAiServer();
});
afterAll(async () => {
  await Promise.all([langsmith.close(), anthropic.close(), embeddings.close()]);
});

async function workspace(
  source: Record<string, unknown>,
  template: string,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clio-evaluate-'));
  await writeFile(
    join(dir, 'config.json'),
    JSON.stringify({
      ...source,
      hierarchy: [3, 2],
      partitions: PARTITIONS,
      summary_prompt: `Summarize what the customer needs: ${template}`,
      save_path: 'out',
      eval_sample: 12,
      llm: { provider: 'anthropic' },
      embedder: { provider: 'openai', base_url: embeddings.url, model: 'text-embedding-3-small' },
      ...extra,
    }),
  );
  await writeFile(
    join(dir, '.env'),
    `LANGSMITH_API_KEY=${TEST_KEY}\nANTHROPIC_API_KEY=${TEST_KEY}\nOPENAI_API_KEY=${TEST_KEY}\n`,
  );
  return dir;
}

const cli = ([command = '', ...args]: string[], dir: string) =>
  runCli([command, '--config', 'config.json', ...args], dir, {
    HOME: dir,
    LANGSMITH_ENDPOINT: langsmith.url,
    ANTHROPIC_BASE_URL: anthropic.url,
  });

describe('evaluate on a LangSmith dataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await workspace({ dataset_name: 'tickets' }, '{{example.inputs.messages}}');
    const generated = await cli(['generate', '--no-viz', '--quiet'], dir);
    expect(generated.code, generated.stderr).toBe(0);
  }, 60_000);

  it('--estimate prices the judge per question and calls nothing', async () => {
    const before = anthropic.received.length;
    const estimate = await cli(['evaluate', '--estimate'], dir);
    expect(estimate.code, estimate.stderr).toBe(0);
    expect(estimate.stdout).toMatch(/Estimate for 12 items .*nothing was spent/);
    for (const stage of ['partition', 'hierarchy', 'best-fit', 'uniqueness']) {
      expect(estimate.stdout).toMatch(new RegExp(`${stage}\\s+\\d+ calls .*\\$\\d+\\.\\d\\d`));
    }
    expect(anthropic.received.length).toBe(before);
  });

  it('judges the sample and writes paths and an experiment back to the dataset', async () => {
    const result = await cli(['evaluate', '--write-back', '--json'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout + result.stderr).not.toContain(TEST_KEY);
    const evaluation = JSON.parse(result.stdout);
    const { judge } = evaluation;
    expect(judge.status).toBe('judged');
    expect(judge.sample).toEqual({ items: 12, of: 30, seed: 42 });
    expect(judge.scores.partitionRelevance).toEqual({
      judged: 12,
      passed: 12,
      failed: 0,
      score: 1,
    });
    // The top level is the partitions: fit is judged at the base level only.
    expect(judge.levels.map((l: { level: number }) => l.level)).toEqual([0]);
    // One topic per base cluster, so a topic-reading judge passes every item.
    for (const metric of ['hierarchicalFit', 'bestFit', 'exclusiveFit'] as const) {
      expect(judge.scores[metric]).toEqual({ judged: 12, passed: 12, failed: 0, score: 1 });
    }
    expect(judge.scores.uniqueness).toMatchObject({ passed: 2, judged: 2 });
    expect(judge.costUsd).toBeGreaterThan(0);

    const doc = JSON.parse(await readFile(join(dir, 'out', 'hierarchy.json'), 'utf8'));
    const examples = langsmith.examplesOf('tickets');
    for (const example of examples) {
      const item = doc.items.find((i: { id: string }) => i.id === example.id);
      expect(example.metadata).toMatchObject({
        label: expect.any(String),
        channel: 'web',
        clio_run_id: doc.run.runId,
        clio_partition: item.partition,
        clio_cluster_ids: [...item.path].reverse(),
        clio_cluster_path: expect.stringMatching(/^(Billing|Account) > Requests about \w+$/),
      });
    }

    const [session, ...others] = langsmith.sessions;
    expect(others).toEqual([]);
    expect(session).toMatchObject({
      reference_dataset_id: datasetId,
      end_time: expect.any(String),
    });
    const judgedIds = judge.items.map((i: { id: string }) => i.id);
    expect(langsmith.postedRuns.map((r) => r.reference_example_id).sort()).toEqual(
      [...judgedIds].sort(),
    );
    expect(langsmith.postedRuns.every((r) => r.session_name === session?.name)).toBe(true);
    const keys = langsmith.feedback.map((f) => f.key);
    for (const key of ['partition_relevance', 'hierarchical_fit_level_0', 'best_fit']) {
      expect(keys.filter((k) => k === key)).toHaveLength(12);
    }
    const uniqueness = langsmith.feedback.filter((f) => f.key === 'uniqueness');
    expect(uniqueness).toMatchObject([{ run_id: null, session_id: session?.id }]);
    expect(evaluation.writeBack).toEqual({
      dataset: 'tickets',
      examplesUpdated: 30,
      missing: 0,
      experiment: {
        id: session?.id,
        name: session?.name,
        runs: 12,
        feedback: langsmith.feedback.length,
      },
    });

    const report = await readFile(join(dir, 'out', 'evaluation.md'), 'utf8');
    expect(report).toContain('## LLM judge');
    expect(report).toMatch(/\| partition relevance \| 100\.0% \|/);
    expect(report).toContain('## Written back to LangSmith');

    // The explorer shows each cluster's scores from the evaluation beside the run.
    const viz = await loadVizData(join(dir, 'out', 'hierarchy.json'));
    const base = viz.index.clusters.filter((c) => c.level === 0);
    expect(base.every((c) => c.scores?.nearestOwn === 1)).toBe(true);
    const judgedBase = base.filter((c) => c.scores?.judged);
    expect(judgedBase.reduce((n, c) => n + (c.scores?.judged ?? 0), 0)).toBe(12);
    expect(judgedBase.every((c) => c.scores?.bestFit === 1)).toBe(true);
  });
});

describe('writeBack', () => {
  it('skips missing examples and failed judgements, and renames a taken experiment name', async () => {
    const ids = ['a', 'b'].map((k) => `00000000-0000-4000-a000-00000000000${k}`);
    langsmith.addDataset(
      'small',
      ids.map((id) => ({ id, inputs: { q: id }, metadata: { keep: true } })),
    );
    const item = (id: string) => ({
      id,
      summary: 's',
      partition: 'Default',
      path: [0],
      preview: '',
    });
    const doc = {
      run: { runId: 'run-x' },
      levels: [{ level: 0, count: 1 }],
      clusters: [{ level: 0, id: 0, name: 'Only cluster' }],
      items: [...ids, 'gone'].map(item),
    } as unknown as HierarchyDoc;
    const judge = {
      status: 'judged',
      llm: 'test',
      sample: { items: 1, of: 3, seed: 1 },
      scores: { uniqueness: null },
      levels: [],
      items: [
        {
          id: ids[0],
          cluster: 0,
          hierarchicalFit: [{ level: 0, error: 'no valid reply' }],
          bestFit: { pass: true, reason: 'fits' },
          exclusiveFit: { error: 'no valid reply' },
        },
      ],
    } as unknown as JudgeReport;
    const now = new Date('2026-01-02T03:04:05Z');
    const taken = 'open-clio run-x judged 2026-01-02T03:04:05Z';
    langsmith.sessions.push({
      id: 'taken',
      name: taken,
      reference_dataset_id: null,
      description: null,
      extra: null,
      end_time: null,
    });
    const client = createWriteBackClient(
      { LANGSMITH_API_KEY: TEST_KEY, LANGSMITH_ENDPOINT: langsmith.url },
      tmpdir(),
    );
    const feedbackBefore = langsmith.feedback.length;
    const summary = await writeBack(doc, judge, {
      client,
      datasetName: 'small',
      concurrency: 2,
      now: () => now,
    });
    expect(summary).toMatchObject({
      examplesUpdated: 2,
      missing: 1,
      experiment: { name: `${taken} (2)`, runs: 1, feedback: 1 },
    });
    expect(langsmith.examplesOf('small').map((e) => e.metadata)).toEqual(
      ids.map(() => ({
        keep: true,
        clio_cluster_path: 'Only cluster',
        clio_cluster_ids: [0],
        clio_partition: 'Default',
        clio_run_id: 'run-x',
      })),
    );
    expect(langsmith.feedback.slice(feedbackBefore)).toMatchObject([
      { key: 'best_fit', score: 1, comment: 'fits' },
    ]);
  });
});

describe('evaluate on a LangSmith tracing project', () => {
  it('judges the threads of the window, and refuses --write-back clearly', async () => {
    const dir = await workspace({ project_name: 'chat-app', hours: 24 }, '{{run.inputs.messages}}');
    const generated = await cli(['generate', '--no-viz', '--quiet'], dir);
    expect(generated.code, generated.stderr).toBe(0);

    const before = anthropic.received.length;
    const refused = await cli(['evaluate', '--write-back'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--write-back .* LangSmith dataset.*tracing project/);
    expect(anthropic.received.length).toBe(before);

    const result = await cli(['evaluate'], dir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/LLM judge on 12 of 18 items/);
    expect(result.stdout).toMatch(/partition relevance\s+100\.0%\s+\(12\/12\)/);
    const evaluation = JSON.parse(await readFile(join(dir, 'out', 'evaluation.json'), 'utf8'));
    expect(evaluation.judge.status).toBe('judged');
    expect(evaluation.writeBack).toBeNull();
  });
});

describe('evaluate checks question-facet answers', () => {
  const facets = {
    mood: { question: 'How does the customer feel?', type: 'category', values: ['Angry', 'Calm'] },
  };

  it('--judge-facets needs facets in the config, and says so before spending', async () => {
    const dir = await workspace({ dataset_name: 'tickets' }, '{{example.inputs.messages}}');
    const before = anthropic.received.length;
    const refused = await cli(['evaluate', '--judge-facets'], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--judge-facets checks .* question `facets`.* declares none/);
    expect(anthropic.received.length).toBe(before);
  });

  it('eval_facets: the judge answers them in its fit calls and the report scores the agreement', async () => {
    const dir = await workspace({ dataset_name: 'tickets' }, '{{example.inputs.messages}}', {
      facets,
      eval_facets: true,
    });
    const generated = await cli(['generate', '--no-viz', '--quiet'], dir);
    expect(generated.code, generated.stderr).toBe(0);
    const estimate = await cli(['evaluate', '--estimate'], dir);
    expect(estimate.stdout).toContain('also check the facets mood');

    const before = anthropic.received.length;
    const feedbackBefore = langsmith.feedback.length;
    const result = await cli(['evaluate', '--write-back'], dir);
    expect(result.code, result.stderr).toBe(0);
    const sent = anthropic.received.slice(before).map((r) => JSON.stringify(r.body));
    // Partitions, base-level fit, best fit per item, and uniqueness: the facets add no call.
    expect(sent.filter((b) => b.includes('in `facets`'))).toHaveLength(12);

    const out = join(dir, 'out');
    const evaluation = JSON.parse(await readFile(join(out, 'evaluation.json'), 'utf8'));
    const doc = JSON.parse(await readFile(join(out, 'hierarchy.json'), 'utf8'));
    const summaries = new Map(
      doc.items.map((i: { id: string; summary: string }) => [i.id, i.summary]),
    );
    const judged = evaluation.judge.items.map((i: { id: string }) => summaries.get(i.id));
    const agreed = judged.filter((s: string) => topicOf(s) !== 'export').length;
    expect(agreed).toBeLessThan(12);
    expect(evaluation.judge.facets).toEqual([
      { facet: 'mood', kind: 'category', judged: 12, failed: 0, agreed, agreement: agreed / 12 },
    ]);
    expect(result.stdout).toMatch(
      new RegExp(
        `facet mood\\s+${((100 * agreed) / 12).toFixed(1)}%\\s+agreement \\(${agreed}/12\\)`,
      ),
    );
    const report = await readFile(join(out, 'evaluation.md'), 'utf8');
    expect(report).toContain('### Facet answers');
    // Each item's check is a feedback on its experiment run, 1 when the judge agreed.
    const moods = langsmith.feedback.slice(feedbackBefore).filter((f) => f.key === 'facet_mood');
    expect(moods).toHaveLength(12);
    expect(moods.filter((f) => f.score === 1)).toHaveLength(agreed);
  }, 60_000);
});
