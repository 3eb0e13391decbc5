import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatEvaluation } from '../../lib/cli/evaluate-command.js';
import type { FacetSpecs } from '../../lib/config/facets.js';
import { parseConfig } from '../../lib/config/index.js';
import type { Evaluation } from '../../lib/evaluate/evaluate.js';
import { judgeRun } from '../../lib/evaluate/judge.js';
import { estimatePlan } from '../../lib/evaluate/judge-estimate.js';
import { planJudgements } from '../../lib/evaluate/judge-plan.js';
import { evaluationMarkdown } from '../../lib/evaluate/report.js';
import { AnthropicLlm } from '../../lib/llm/anthropic.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { FACET_ANSWER_TOKENS } from '../../lib/prompts/facet-answers.js';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
} from '../fakes/anthropic-server.js';

const KEY = 'test-key-not-real';
const noWait = { baseMs: 1, maxMs: 2, sleep: async () => {} };

const FACETS: FacetSpecs = {
  mood: { question: 'How does the user feel?', type: 'category', values: ['Happy', 'Angry'] },
  topic: { question: 'What is the ticket about?', type: 'category' },
  effort: { question: 'How much work to resolve?', type: 'scale', min: 1, max: 5 },
};

/**
 * Eight tickets in two base clusters under one parent, with the facets a run recorded. The
 * judge (below) reads the mood and the effort from the words of the summary, and rejects a
 * recorded topic that is not a word of it, so the recorded answers decide the agreement:
 * - mood is recorded wrong on `wrong-mood` items;
 * - effort is the number of "!" in the summary, recorded one too high on `high-effort` items;
 * - topic is recorded as a word of the summary except on `odd-topic` items.
 * `broken` always gets a reply whose facets do not validate.
 */
const TICKETS = [
  { id: 'a', summary: 'refund angry !!!', mood: 'Angry', effort: 3, topic: 'refund' },
  { id: 'b', summary: 'refund happy !', mood: 'Happy', effort: 1, topic: 'refund' },
  { id: 'c', summary: 'refund happy wrong-mood !!', mood: 'Angry', effort: 2, topic: 'refund' },
  { id: 'd', summary: 'refund angry high-effort !!', mood: 'Angry', effort: 3, topic: 'refund' },
  { id: 'e', summary: 'password happy odd-topic !', mood: 'Happy', effort: 1, topic: 'cooking' },
  { id: 'f', summary: 'password angry !!!!', mood: 'Angry', effort: 4, topic: 'password' },
  { id: 'g', summary: 'password happy broken !', mood: 'Happy', effort: 1, topic: 'password' },
  { id: 'h', summary: 'password happy !!', mood: 'Happy', effort: 2, topic: 'password' },
];

function makeRun(): { doc: HierarchyDoc; vectors: Float32Array[] } {
  const items = TICKETS.map((t, k) => ({
    id: t.id,
    summary: t.summary,
    partition: 'Default',
    path: [k < 4 ? 0 : 1, 0],
    preview: t.summary,
    // Built-ins are recorded too, and must never be judged.
    facets: {
      language: 'en',
      turns: 2,
      length: 30,
      mood: t.mood,
      topic: t.topic,
      effort: t.effort,
    },
  }));
  const vectors = TICKETS.map((_, k) => {
    const v = new Float32Array([k < 4 ? 1 : 0, k < 4 ? 0 : 1, 0.01 * k]);
    return v.map((x) => x / Math.hypot(...v));
  });
  const cluster = (level: number, id: number, name: string, size: number) => ({
    level,
    id,
    name,
    description: `Tickets about ${name.toLowerCase()}.`,
    size,
    partition: 'Default',
    parent: level === 0 ? 0 : null,
    children: level === 0 ? [] : [0, 1],
  });
  const doc = {
    schemaVersion: 1,
    run: { runId: 'run-f', partitions: null },
    levels: [
      { level: 0, count: 2 },
      { level: 1, count: 1 },
    ],
    clusters: [
      cluster(0, 0, 'Refunds', 4),
      cluster(0, 1, 'Passwords', 4),
      cluster(1, 0, 'Support', 8),
    ],
    items,
  } as unknown as HierarchyDoc;
  return { doc, vectors };
}

const summaryOf = (r: FakeRequest) => /Summary: (.*)/.exec(r.user)?.[1] ?? '';

function answer(r: FakeRequest): unknown {
  const summary = summaryOf(r);
  switch (r.tool) {
    case 'rate_cluster_fit': {
      if (!r.user.includes('in `facets`')) return { fits: true, reason: 'It fits.' };
      if (summary.includes('broken')) {
        return { fits: true, reason: 'It fits.', facets: { mood: 'Sad', topic: 'yes', effort: 9 } };
      }
      const recordedTopic = /Another reader answered "(.*?)"/.exec(r.user)?.[1] ?? '';
      return {
        fits: true,
        reason: 'It fits.',
        facets: {
          mood: summary.includes('angry') ? 'Angry' : 'Happy',
          topic: summary.includes(recordedTopic),
          effort: (summary.match(/!/g) ?? []).length,
        },
      };
    }
    case 'pick_best_cluster': {
      const listed = [...r.user.matchAll(/^(\d+)\. (.+?):/gm)].map((m) => m[2] as string);
      const own = summary.startsWith('refund') ? 'Refunds' : 'Passwords';
      return { best: listed.indexOf(own) + 1, also_fits: [], reason: 'By topic.' };
    }
    case 'compare_clusters':
      return { distinct: true, reason: 'Apart.' };
    default:
      throw new Error(`unexpected tool ${r.tool}`);
  }
}

describe('the judge checks question-facet answers', () => {
  let fake: FakeAnthropic;
  beforeEach(async () => {
    fake = await startFakeAnthropic({ apiKey: KEY, answer });
  });
  afterEach(() => fake.close());
  const llm = () => new AnthropicLlm({ apiKey: KEY, baseURL: fake.url, retry: noWait });

  it('asks the facets in the base-level fit call, scores agreement and distance, and records malformed replies as failed', async () => {
    const { doc, vectors } = makeRun();
    const plain = await judgeRun(
      doc,
      vectors,
      { llm: llm(), concurrency: 4 },
      { sample: null, seed: 1 },
    );
    const plainRequests = fake.received.length;
    const plainBilled = { ...fake.billed };

    const report = await judgeRun(
      doc,
      vectors,
      { llm: llm(), concurrency: 4 },
      { sample: null, seed: 1, facets: FACETS },
    );
    // No extra calls: the facets ride on a call the judge makes anyway.
    expect(report.calls).toBe(plain.calls);
    const facetRequests = fake.received.slice(plainRequests);
    const asking = facetRequests.filter((r) => JSON.stringify(r.body).includes('in `facets`'));
    // One per item, and three tries for `broken`, whose reply never validates.
    expect(asking).toHaveLength(TICKETS.length + 2);
    const asked = asking.map((r) => /Summary: ([^\\]*)/.exec(JSON.stringify(r.body))?.[1]);
    expect(new Set(asked).size).toBe(TICKETS.length);
    expect(asking.every((r) => JSON.stringify(r.body).includes('most specific'))).toBe(true);
    // Built-ins are computed, not answered: never asked.
    expect(asking.some((r) => /\b(language|turns|length):/.test(JSON.stringify(r.body)))).toBe(
      false,
    );

    // `broken`'s reply never validates: its fit and its three facets are failed, not judged.
    expect(report.failedCalls).toBe(1);
    const broken = report.items.find((i) => i.id === 'g');
    expect(broken?.facets?.mood).toHaveProperty('error', expect.stringMatching(/no valid reply/));
    expect(report.facets).toEqual([
      { facet: 'mood', kind: 'category', judged: 7, failed: 1, agreed: 6, agreement: 6 / 7 },
      { facet: 'topic', kind: 'category', judged: 7, failed: 1, agreed: 6, agreement: 6 / 7 },
      { facet: 'effort', kind: 'scale', judged: 7, failed: 1, meanAbsDifference: 1 / 7 },
    ]);
    expect(report.items.find((i) => i.id === 'c')?.facets?.mood).toEqual({
      pass: false,
      chosen: 'Happy',
      reason: 'judge "Happy", recorded "Angry"',
    });
    expect(report.items.find((i) => i.id === 'd')?.facets?.effort).toMatchObject({
      pass: false,
      chosen: 2,
      difference: 1,
    });
    expect(report.items.find((i) => i.id === 'e')?.facets?.topic).toEqual({
      pass: false,
      reason: 'judge rejected "cooking"',
    });
    // A facet disagreement is not a failed clustering check.
    expect(report.worstItems.map((w) => w.id)).not.toContain('c');

    // The bill is the stand-in's, retries of the malformed reply included, and the facets
    // lengthen the replies the estimate allows for.
    const billed = {
      inputTokens: fake.billed.inputTokens - plainBilled.inputTokens,
      outputTokens: fake.billed.outputTokens - plainBilled.outputTokens,
      requests: fake.billed.requests - plainBilled.requests,
    };
    expect(report.usage).toMatchObject(billed);
    expect(billed.requests).toBe(report.calls - 1 + 3);
    expect(report.usage.outputTokens).toBeGreaterThan(plain.usage.outputTokens);
    const withFacets = planJudgements(doc, vectors, { sample: null, seed: 1, facets: FACETS });
    const without = planJudgements(doc, vectors, { sample: null, seed: 1 });
    const output = (stages: ReturnType<typeof estimatePlan>) =>
      stages.reduce((sum, s) => sum + s.usage.outputTokens, 0);
    expect(output(estimatePlan(withFacets, llm())) - output(estimatePlan(without, llm()))).toBe(
      TICKETS.length * Object.keys(FACETS).length * FACET_ANSWER_TOKENS,
    );
    // The estimate does not under-count what the facet run was billed for its replies.
    expect(output(estimatePlan(withFacets, llm()))).toBeGreaterThanOrEqual(
      report.usage.outputTokens,
    );

    const evaluation = {
      evaluatedAt: 'now',
      runId: 'run-f',
      items: TICKETS.length,
      embedder: 'test',
      fit: [],
      labels: null,
      judge: report,
      writeBack: null,
    } satisfies Evaluation;
    const markdown = evaluationMarkdown(evaluation, doc);
    expect(markdown).toContain('### Facet answers');
    expect(markdown).toMatch(/\| mood \| category \| 85\.7% agree \(6 \/ 7\) \|/);
    expect(markdown).toMatch(/\| effort \| scale \| 0\.143 apart on average \| +\| 7 \| 1 \|/);
    const printed = formatEvaluation(evaluation, '/tmp/run', ['evaluation.json']);
    expect(printed).toMatch(/facet topic +85\.7% +agreement \(6\/7, 1 failed\)/);
    expect(printed).toMatch(/facet effort +0\.14 +mean absolute difference \(7 judged, 1 failed\)/);
  });

  it('checks only the facets an item has an answer of the right kind to', () => {
    const { doc, vectors } = makeRun();
    const items = doc.items.map((item, k) =>
      k === 0 ? { ...item, facets: { mood: 'Angry', effort: 'lots' } } : item,
    );
    const plan = planJudgements({ ...doc, items }, vectors, {
      sample: null,
      seed: 1,
      facets: FACETS,
    });
    const first = plan.jobs.find(
      (j) => j.facets > 0 && j.checks.some((c) => 'item' in c && c.item === 0),
    );
    expect(first?.checks.map((c) => ('facet' in c ? c.facet : c.metric))).toEqual([
      'hierarchicalFit',
      'mood',
    ]);
  });
});

describe('eval_facets in the config', () => {
  const base = { source: { file: 'x.jsonl' }, hierarchy: [2], summary_prompt: '{{x}}' };
  const opts = { file: '/tmp/config.json', dir: '/tmp' };
  it('is off by default and needs question facets to check', () => {
    expect(parseConfig(base, opts).eval_facets).toBe(false);
    expect(() => parseConfig({ ...base, eval_facets: true }, opts)).toThrow(
      /`eval_facets`: got true, expected it only with question `facets`/,
    );
    expect(() => parseConfig({ ...base, eval_facets: 'yes' }, opts)).toThrow(/true or false/);
    const on = parseConfig({ ...base, eval_facets: true, facets: { mood: FACETS.mood } }, opts);
    expect(on.eval_facets).toBe(true);
  });
});
