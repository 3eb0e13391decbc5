import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Evaluation } from '../../lib/evaluate/evaluate.js';
import { judgeRun } from '../../lib/evaluate/judge.js';
import { estimateJudging } from '../../lib/evaluate/judge-estimate.js';
import { judgeSample, planJudgements } from '../../lib/evaluate/judge-plan.js';
import { evaluationMarkdown } from '../../lib/evaluate/report.js';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { sampleItems } from '../../lib/pipeline/sample.js';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
} from '../fakes/anthropic-server.js';
import { ScriptedLlm } from '../helpers/scripted-llm.js';

const KEY = 'test-key-not-real';
const noWait = { baseMs: 1, maxMs: 2, sleep: async () => {} };

const BASE = ['Refund requests', 'Password resets', 'Data exports'] as const;
const TOPIC = ['refund', 'password', 'export'] as const;
/** Refunds sit apart; passwords and exports are near each other (their pair is the overlap). */
const DIRECTIONS = [
  [1, 0, 0],
  [0.5, 0.866, 0],
  [0.1, 0.9, 0.42],
];

/**
 * Twelve items in three base clusters under two parents. Planted: r3 is filed under refunds but
 * is about a password (misfiled), p2 also fits exports (ambiguous), e1 always gets a malformed
 * reply (broken).
 */
function makeRun(): { doc: HierarchyDoc; vectors: Float32Array[] } {
  const items: HierarchyDoc['items'] = [];
  const vectors: Float32Array[] = [];
  for (const [c, topic] of TOPIC.entries()) {
    for (let k = 0; k < 4; k++) {
      const id = `${topic[0]}${k}`;
      let summary = `Customer asks about a ${topic} for order ${k}`;
      if (id === 'r3') summary = 'misfiled: customer cannot reset a password';
      if (id === 'p2') summary = 'ambiguous: customer wants a password to export data';
      if (id === 'e1') summary = `broken: customer asks about an ${topic}`;
      items.push({
        id,
        summary,
        partition: 'Default',
        path: [c, c === 0 ? 0 : 1],
        preview: summary,
      });
      const d = DIRECTIONS[c] as number[];
      const v = new Float32Array([...d, 0.05 * (k - 1.5)]);
      const norm = Math.hypot(...v);
      vectors.push(v.map((x) => x / norm));
    }
  }
  const base = (id: number) => ({
    level: 0,
    id,
    name: BASE[id] as string,
    description: `Customers asking about a ${TOPIC[id]}.`,
    size: 4,
    partition: 'Default',
    parent: id === 0 ? 0 : 1,
    children: [],
  });
  const doc = {
    schemaVersion: 1,
    run: { runId: 'run-1', partitions: null },
    levels: [
      { level: 0, count: 3 },
      { level: 1, count: 2 },
    ],
    clusters: [
      base(0),
      base(1),
      base(2),
      { ...base(0), level: 1, id: 0, name: 'Billing', size: 4, parent: null, children: [0] },
      {
        ...base(0),
        level: 1,
        id: 1,
        name: 'Account and data',
        size: 8,
        parent: null,
        children: [1, 2],
      },
    ],
    items,
  } as unknown as HierarchyDoc;
  return { doc, vectors };
}

const summaryOf = (r: FakeRequest) => /Summary: (.*)/.exec(r.user)?.[1] ?? '';
const topicOf = (text: string) => TOPIC.find((t) => text.includes(t)) ?? 'refund';

/** A model that judges by topic words, and answers out of schema for the broken item. */
function answer(r: FakeRequest): unknown {
  const summary = summaryOf(r);
  if (summary.startsWith('broken')) return { fits: 'maybe', best: 'first' };
  switch (r.tool) {
    case 'rate_cluster_fit': {
      const misfiled = summary.startsWith('misfiled') && r.user.includes('most specific');
      return { fits: !misfiled, reason: misfiled ? 'It is about a password.' : 'It fits.' };
    }
    case 'pick_best_cluster': {
      const listed = [...r.user.matchAll(/^(\d+)\. (.+?):/gm)].map((m) => m[2] as string);
      const number = (topic: string) =>
        listed.indexOf(BASE[TOPIC.indexOf(topic as never)] as string) + 1;
      const best = number(topicOf(summary));
      const also = summary.startsWith('ambiguous') ? [number('export')] : [];
      return { best, also_fits: also, reason: 'By topic.' };
    }
    case 'compare_clusters': {
      const overlap = r.user.includes('Password resets') && r.user.includes('Data exports');
      return { distinct: !overlap, reason: overlap ? 'Both are about account data.' : 'Apart.' };
    }
    default:
      throw new Error(`unexpected tool ${r.tool}`);
  }
}

describe('judgeRun against a loopback Anthropic', () => {
  let fake: FakeAnthropic;
  beforeAll(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, answer });
  });
  afterAll(() => fake.close());

  it('scores a known answer pattern and counts malformed replies as failed, not as fails', async () => {
    const { doc, vectors } = makeRun();
    const llm = new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: noWait });
    const report = await judgeRun(doc, vectors, { llm, concurrency: 4 }, { sample: null, seed: 7 });

    expect(report.model).toBe('claude-sonnet-5-5');
    expect(report.candidates).toBe(3);
    expect(report.scores.partitionRelevance).toBeNull();
    // 12 items × 2 levels; e1's two never validated; r3 does not fit its base cluster.
    expect(report.scores.hierarchicalFit).toEqual({
      judged: 22,
      passed: 21,
      failed: 2,
      score: 21 / 22,
    });
    expect(report.scores.bestFit).toEqual({ judged: 11, passed: 10, failed: 1, score: 10 / 11 });
    expect(report.scores.exclusiveFit).toEqual({ judged: 11, passed: 9, failed: 1, score: 9 / 11 });
    // Level 0: refunds–passwords distinct, passwords–exports overlapping; level 1: one pair.
    expect(report.scores.uniqueness).toEqual({ judged: 3, passed: 2, failed: 0, score: 2 / 3 });
    expect(report.pairs.filter((p) => 'pass' in p && !p.pass)).toMatchObject([
      { level: 0, a: 1, b: 2, reason: 'Both are about account data.' },
    ]);
    expect(report.calls).toBe(12 * 2 + 12 + 3);
    expect(report.failedCalls).toBe(3);
    // Usage is every billed reply: the valid ones and all three attempts of each failed call.
    expect(report.usage.requests).toBe(report.calls - report.failedCalls + 3 * report.failedCalls);
    expect(report.usage).toEqual(fake.billed);
    expect(report.costUsd).toBeGreaterThan(0);

    const r3 = report.items.find((i) => i.id === 'r3');
    expect(r3?.bestFit).toMatchObject({ pass: false, chosen: 1 });
    expect(r3?.hierarchicalFit[0]).toMatchObject({ level: 0, pass: false });
    const p2 = report.items.find((i) => i.id === 'p2');
    expect(p2?.bestFit).toMatchObject({ pass: true });
    expect(p2?.exclusiveFit).toMatchObject({ pass: false, alsoFits: [2] });
    const e1 = report.items.find((i) => i.id === 'e1');
    expect(e1?.bestFit).toHaveProperty('error', expect.stringMatching(/no valid reply/));
    expect(report.worstItems[0]).toMatchObject({ id: 'r3', cluster: 0 });
    expect(report.worstItems.map((w) => w.id)).not.toContain('e1');

    const refunds = report.clusters.find((c) => c.level === 0 && c.id === 0);
    expect(refunds).toMatchObject({ items: 4, bestFit: { passed: 3, judged: 4 } });
    expect(report.levels.map((l) => l.hierarchicalFit?.score)).toEqual([10 / 11, 1]);

    const markdown = evaluationMarkdown(
      {
        evaluatedAt: 'now',
        runId: 'run-1',
        items: 12,
        embedder: 'test',
        fit: [],
        labels: null,
        judge: report,
        writeBack: null,
      } satisfies Evaluation,
      doc,
    );
    expect(markdown).toContain('## LLM judge');
    expect(markdown).toMatch(/\| best fit \| 90\.9% \| `█+·*` \| 10 \/ 11 \(1 failed\) \|/);
    expect(markdown).toContain('| 0 | Password resets | Data exports |');
    expect(markdown).toContain('### Items that failed the most checks');
  });
});

describe('planJudgements', () => {
  it('judges partitions instead of the partition level and skips its uniqueness', async () => {
    const { doc, vectors } = makeRun();
    const partitioned = {
      ...doc,
      run: { ...doc.run, partitions: { Billing: 'money', Account: 'access and data' } },
      items: doc.items.map((item) => ({
        ...item,
        partition: item.path[1] === 0 ? 'Billing' : 'Account',
      })),
    } as HierarchyDoc;
    const plan = planJudgements(partitioned, vectors, { sample: null, seed: 1 });
    expect(plan.fitLevels).toEqual([0]);
    const stages = plan.jobs.map((j) => j.stage);
    expect(stages.filter((s) => s === 'partition')).toHaveLength(12);
    expect(stages.filter((s) => s === 'hierarchy')).toHaveLength(12);
    expect(stages.filter((s) => s === 'uniqueness')).toHaveLength(2);

    const llm = new ScriptedLlm({
      judge_partition: () => ({ partition: 'Billing', reason: 'money' }),
      judge_cluster_fit: () => ({ fits: true, reason: 'ok' }),
      judge_best_fit: () => ({ best: 1, also_fits: [], reason: 'first' }),
      judge_overlap: () => ({ distinct: true, reason: 'apart' }),
    });
    const report = await judgeRun(
      partitioned,
      vectors,
      { llm, concurrency: 2 },
      { sample: null, seed: 1 },
    );
    expect(report.scores.partitionRelevance).toMatchObject({ judged: 12, passed: 4 });
    expect(report.items.find((i) => i.id === 'p0')?.partitionRelevance).toMatchObject({
      pass: false,
      chosen: 'Billing',
    });
  });

  it('prices the judging per kind of question without calling the model', () => {
    const { doc } = makeRun();
    const llm = new ScriptedLlm({});
    const priced = {
      ...llm,
      id: llm.id,
      generative: true,
      ledger: llm.ledger,
      run: llm.run,
      costOf: () => 0.5,
    };
    const { items, stages } = estimateJudging(doc, priced, { sample: 6, seed: 3 });
    expect(items).toBe(6);
    expect(stages.map((s) => [s.stage, s.calls])).toEqual([
      ['hierarchy', 12],
      ['best-fit', 6],
      ['uniqueness', 5],
    ]);
    expect(stages.every((s) => s.usage.inputTokens > s.calls * 150 && s.costUsd === 0.5)).toBe(
      true,
    );
    expect(llm.calls.size).toBe(0);
  });
});

describe('eval_sample', () => {
  const { doc } = makeRun();
  const ids = (indices: readonly number[]) => indices.map((i) => doc.items[i]?.id);

  it('is a seeded sample: the same seed picks the same items, as generate would', () => {
    const first = ids(judgeSample(doc, 5, 42));
    expect(first).toHaveLength(5);
    expect(ids(judgeSample(doc, 5, 42))).toEqual(first);
    expect(ids(judgeSample(doc, 5, 43))).not.toEqual(first);
    const stand = doc.items.map((i) => ({ id: i.id, inputs: null, metadata: {} }));
    expect(first).toEqual(sampleItems(stand, 5, 42).map((i) => i.id));
    expect(judgeSample(doc, null, 42)).toHaveLength(12);
  });

  it('judges only the sampled items', async () => {
    const { vectors } = makeRun();
    const llm = new ScriptedLlm({
      judge_cluster_fit: () => ({ fits: true, reason: 'ok' }),
      judge_best_fit: () => ({ best: 1, also_fits: [], reason: 'first' }),
      judge_overlap: () => ({ distinct: true, reason: 'apart' }),
    });
    const report = await judgeRun(doc, vectors, { llm, concurrency: 3 }, { sample: 4, seed: 9 });
    expect(report.items.map((i) => i.id)).toEqual(ids(judgeSample(doc, 4, 9)));
    expect(report.sample).toEqual({ items: 4, of: 12, seed: 9 });
    expect(llm.calls.get('judge_cluster_fit')).toBe(8);
  });
});
