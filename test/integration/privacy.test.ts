import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { runRecordSchema } from '../../lib/pipeline/run-record.js';
import {
  type FakeAnthropic,
  type FakeRequest,
  startFakeAnthropic,
} from '../fakes/anthropic-server.js';
import { type FakeServer, startOpenAiServer, TEST_KEY } from '../fakes/embedding-servers.js';
import { runCli } from '../helpers/cli.js';
import { smallRun } from '../helpers/small-run.js';

/**
 * The privacy floor and audit as a user with a key runs them, against loopback stand-ins for the
 * Anthropic API and an embeddings API: what is withheld must be absent from every output, and
 * nothing of it may reach a later model call (names, groupings, audits).
 */
const TOPICS = ['refund', 'password', 'export'] as const;
type Topic = (typeof TOPICS)[number];
const topicOf = (text: string): Topic => TOPICS.find((t) => text.includes(t)) ?? 'refund';
const listed = (text: string) => [...text.matchAll(/^- (.+)$/gm)].map((m) => m[1] as string);

/** A cooperative model whose names of export clusters name the customer's company. */
function answer(r: FakeRequest): unknown {
  switch (r.tool) {
    case 'record_summary':
      return {
        summary: `Customer asks about ${topicOf(r.user)}, case ${/case (\d+)/.exec(r.user)?.[1]}`,
      };
    case 'name_cluster':
    case 'name_category': {
      const topic = topicOf(r.user.split('NOT in the group')[0] ?? '');
      return topic === 'export'
        ? {
            name: 'Export data for Acme Corp',
            description: 'Acme Corp staff moving their export files.',
          }
        : { name: `Requests about ${topic}`, description: `Customers asking about ${topic}.` };
    }
    case 'propose_categories':
      return {
        names: [
          ...new Set(
            [...r.user.matchAll(/\d+\. (.+?):/g)].map((m) => `Topic ${topicOf(m[1] ?? '')}`),
          ),
        ],
      };
    case 'final_categories':
      return { names: listed(r.user) };
    case 'assign_category':
      return { parent: `Topic ${topicOf(/Cluster: (.+)/.exec(r.user)?.[1] ?? '')}` };
    case 'audit_cluster': {
      const identifying = r.user.includes('Acme');
      return {
        rating: identifying ? 4 : 1,
        reason: identifying ? 'names a company' : 'a general topic',
        safeName: identifying
          ? 'Export data for a company'
          : (/Cluster name: (.+)/.exec(r.user)?.[1] ?? ''),
        safeDescription: identifying
          ? 'Staff of one company moving their export files.'
          : (/Description: (.+)/.exec(r.user)?.[1] ?? ''),
      };
    }
    default:
      throw new Error(`unexpected tool ${r.tool}`);
  }
}

/** 60 tickets, 20 per topic; every password ticket comes from one of two users. */
const rows = Array.from({ length: 60 }, (_, i) => {
  const topic = TOPICS[i % 3] as Topic;
  return {
    inputs: { text: `I need help with a ${topic} problem, case ${i}` },
    metadata: { user_id: topic === 'password' ? `u-${i % 2}` : `u-${100 + i}` },
  };
});

let anthropic: FakeAnthropic;
let embeddings: FakeServer;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ apiKey: TEST_KEY, answer });
  embeddings = await startOpenAiServer();
});
afterAll(async () => {
  await Promise.all([anthropic.close(), embeddings.close()]);
});

async function generate(privacy: Record<string, unknown>) {
  const dir = await smallRun(rows, {
    hierarchy: [6, 3],
    summary_prompt: 'Summarize what the customer needs: {{example.inputs.text}}',
    save_path: 'out',
    llm: { provider: 'anthropic' },
    embedder: { provider: 'openai', base_url: embeddings.url, model: 'text-embedding-3-small' },
    ...privacy,
  });
  const before = anthropic.received.length;
  const run = await runCli(['generate', '--config', 'config.json', '--no-viz'], dir, {
    HOME: dir,
    ANTHROPIC_API_KEY: TEST_KEY,
    OPENAI_API_KEY: TEST_KEY,
    ANTHROPIC_BASE_URL: anthropic.url,
  });
  const out = join(dir, 'out');
  const files = await readdir(out);
  const texts = await Promise.all(
    files.filter((f) => /\.(csv|json)$/.test(f)).map((f) => readFile(join(out, f), 'utf8')),
  );
  return {
    run,
    doc: hierarchySchema.parse(JSON.parse(await readFile(join(out, 'hierarchy.json'), 'utf8'))),
    record: runRecordSchema.parse(JSON.parse(await readFile(join(out, 'run.json'), 'utf8'))),
    outputs: texts.join('\n'),
    requests: anthropic.received.slice(before).map((r) => JSON.stringify(r.body)),
  };
}

describe('privacy floor and audit', () => {
  it('withholds clusters with too few users and renames identifying ones, in every output', async () => {
    const { run, doc, record, outputs, requests } = await generate({
      min_distinct_users: 3,
      privacy_audit: { max_rating: 2, action: 'rename' },
    });
    expect(run.code, run.stderr).toBe(0);
    // The password tickets come from two users: none of them is shown anywhere.
    expect(doc.items.every((item) => !item.summary.includes('password'))).toBe(true);
    expect(outputs).not.toContain('password');
    const shown = doc.items.length;
    expect(shown).toBeGreaterThanOrEqual(30);
    expect(record.counts.withheld).toBe(60 - shown);
    expect(record.privacy?.withheldClusters.users).toBeGreaterThan(0);
    expect(run.stderr).toContain(
      `${60 - shown} items withheld: their base clusters have fewer than min_distinct_users (3)`,
    );
    // Every shown base cluster has at least three distinct users.
    const userOf = (summary: string) =>
      rows[Number(/case (\d+)/.exec(summary)?.[1])]?.metadata.user_id;
    for (const cluster of doc.clusters.filter((c) => c.level === 0)) {
      const users = new Set(
        doc.items.filter((i) => i.path[0] === cluster.id).map((i) => userOf(i.summary)),
      );
      expect(users.size).toBeGreaterThanOrEqual(3);
    }
    // Nothing withheld reached a model call made after the summaries.
    const afterSummaries = requests.filter(
      (body) => !body.includes('Summarize what the customer needs'),
    );
    expect(afterSummaries.length).toBeGreaterThan(0);
    expect(afterSummaries.filter((body) => body.includes('password'))).toEqual([]);

    // The export clusters were named after the company; the audit renamed every one of them.
    expect(outputs).not.toContain('Acme');
    const exportNames = doc.clusters.filter((c) => c.level === 0 && c.name.includes('company'));
    expect(exportNames.length).toBeGreaterThan(0);
    const audit = record.privacy?.audit;
    expect(audit).toMatchObject({ maxRating: 2, action: 'rename' });
    const [base, top] = audit?.levels ?? [];
    expect(base?.renamed).toBe(exportNames.length);
    expect(base?.audited).toBe(doc.clusters.filter((c) => c.level === 0).length);
    expect(top?.audited).toBe(doc.clusters.filter((c) => c.level === 1).length);
    // Billed on the stand-in: one audit per shown cluster, a second for each renamed one.
    const audits = requests.filter((body) => body.includes('Cluster name: ')).length;
    expect(audits).toBe(
      (base?.audited ?? 0) + (top?.audited ?? 0) + (base?.renamed ?? 0) + (top?.renamed ?? 0),
    );
    expect(record.costByStage['privacy audit']).toBeGreaterThan(0);
    // The map holds the shown items only, and sizes still add up.
    expect(doc.items.every((item) => Array.isArray(item.xy))).toBe(true);
    for (const level of [0, 1]) {
      const sizes = doc.clusters.filter((c) => c.level === level).reduce((a, c) => a + c.size, 0);
      expect(sizes).toBe(shown);
    }
  }, 120_000);

  it('with action "withhold", identifying clusters leave every output with their items', async () => {
    const { run, doc, record, outputs } = await generate({
      privacy_audit: { max_rating: 2, action: 'withhold' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(outputs).not.toContain('Acme');
    expect(doc.items.some((item) => item.summary.includes('export'))).toBe(false);
    expect(doc.items).toHaveLength(40);
    expect(record.counts.withheld).toBe(20);
    expect(record.privacy?.audit?.levels[0]?.withheld).toBeGreaterThan(0);
    expect(record.privacy?.audit?.levels[0]?.renamed).toBe(0);
  }, 120_000);
});
