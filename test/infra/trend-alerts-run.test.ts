import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/contract.js';
import { type HierarchyDoc, hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { type FakeSns, startFakeSns } from '../fakes/sns-server.js';
import { BUCKETS, driveRun, type Handlers, loadHandlers, startWorld, type World } from './world.js';

/**
 * Scheduled windows of one config on AWS: each run has a prefix of its own, yet keys carry from
 * run to run through the config's home, the history grows, and the trend alert reaches SNS (a
 * loopback stand-in speaking the Query protocol) with links into the explorer.
 */
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:OpenClio-TrendAlerts';
const EXPLORER = 'https://explorer.example';
const OLD = [
  'refund a double charge',
  'cannot login after a password reset',
  'export projects to csv',
];
const NEW = 'turn on dark mode in the mobile app';
const rows = (topics: readonly string[], n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    inputs: {
      messages: [{ role: 'user', content: `${topics[i % topics.length]} please (ticket ${i})` }],
    },
  }));

let world: World;
let sns: FakeSns;
let handlers: Handlers;
beforeAll(async () => {
  // The first Publish fails as the service may; the SDK's retry delivers it once.
  sns = await startFakeSns({ topics: [TOPIC], faults: ['InternalError'] });
  world = await startWorld();
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SNS: sns.endpoint,
    [ENV.trendTopicArn]: TOPIC,
    [ENV.trendThresholds]: JSON.stringify({ minPoints: 1, minRatio: 1.25 }),
    [ENV.explorerUrl]: EXPLORER,
  });
  handlers = await loadHandlers();
}, 60_000);
afterAll(async () => {
  for (const name of [
    ENV.trendTopicArn,
    ENV.trendThresholds,
    ENV.explorerUrl,
    'AWS_ENDPOINT_URL_SNS',
  ])
    delete process.env[name];
  await Promise.all([world?.close(), sns?.close()]);
});

const putData = (data: object[]) =>
  world.s3.client.send(
    new PutObjectCommand({
      Bucket: BUCKETS.configs,
      Key: 'configs/data.jsonl',
      Body: data.map((r) => JSON.stringify(r)).join('\n'),
    }),
  );
const hierarchyOf = async (runId: string): Promise<HierarchyDoc> =>
  hierarchySchema.parse(
    JSON.parse(await world.getText(BUCKETS.artifacts, `runs/${runId}/hierarchy.json`)),
  );

describe('runs of one config on AWS', () => {
  it('carry keys through the config home, keep a history, and alert on an emerging cluster', async () => {
    await putData(rows(OLD, 60));
    const first = await driveRun(world, handlers, 'configs/support.json');
    expect(sns.published).toEqual([]); // a first run is all new, which is no news

    await putData(rows([...OLD, NEW], 80));
    const second = await driveRun(world, handlers, 'configs/support.json');
    const [before, after] = [await hierarchyOf(first.runId), await hierarchyOf(second.runId)];
    // Clusters of the old topics keep their keys from the run before.
    const keysBefore = new Set(before.clusters.map((c) => c.key));
    expect(after.clusters.filter((c) => keysBefore.has(c.key)).length).toBeGreaterThan(2);

    expect(sns.calls.map((c) => c.status)).toEqual([500, 200]);
    expect(sns.published).toHaveLength(1);
    const [alert] = sns.published;
    expect(alert?.subject).toMatch(/^OpenCLIO support: \d+ clusters? new or growing$/);
    const links = [...(alert?.message ?? '').matchAll(/#run=([^&\s]+)&c=(\d+)\.(\d+)/g)];
    expect(links.length).toBeGreaterThan(0);
    expect(alert?.message).toContain(`${EXPLORER}/#run=${second.runId}&c=`);
    // The linked clusters are the new topic's: most of their members ask for dark mode.
    const darkMode = (c: { level: number; id: number }) => {
      const members = after.items.filter((i) => i.path[c.level] === c.id);
      return members.filter((i) => i.preview.includes('dark mode')).length / members.length;
    };
    const linked = links.map(([, , level, id]) => ({ level: Number(level), id: Number(id) }));
    expect(Math.max(...linked.map(darkMode))).toBeGreaterThan(0.8);

    // The published explorer carries the config's trends beside the run, each run linked.
    const published = JSON.parse(
      await world.getText(BUCKETS.site, `data/${second.runId}/trends.json`),
    );
    expect(published.base.runs.map((r: { runId: string }) => r.runId)).toEqual([
      first.runId,
      second.runId,
    ]);
    expect(published.shown).toEqual({ [first.runId]: first.runId, [second.runId]: second.runId });
    const fresh = published.base.clusters.filter((c: { status: string }) => c.status === 'new');
    expect(fresh.length).toBeGreaterThan(0);

    // The same window again: nothing emerged or grew, nobody is told.
    const third = await driveRun(world, handlers, 'configs/support.json');
    expect(sns.published).toHaveLength(1);
    const listed = await world.s3.client.send(
      new ListObjectsV2Command({ Bucket: BUCKETS.artifacts, Prefix: 'runs/_configs/' }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
    const index = keys.find((k) => k.endsWith('history/index.json')) ?? '';
    expect(index).toMatch(/^runs\/_configs\/support-[0-9a-f]{8}\/history\/index\.json$/);
    const history = JSON.parse(await world.getText(BUCKETS.artifacts, index));
    expect(history.runs.map((r: { runId: string }) => r.runId)).toEqual([
      first.runId,
      second.runId,
      third.runId,
    ]);
  }, 180_000);
});
