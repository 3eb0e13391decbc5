import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { newRunRecord, type RunRecord } from '../../lib/pipeline/run-record.js';
import { TriggerClaims, TTL_ATTRIBUTE } from '../../lib/store/dynamo-claims.js';
import { DynamoHierarchy, MAX_LISTED, tableKeys } from '../../lib/store/dynamo-hierarchy.js';
import { type DynamoEmulator, startDynamo } from '../infra/emulators.js';

const TABLE = 'open-clio';
let dynamo: DynamoEmulator;
let document: DynamoDBDocumentClient;
let runs: DynamoHierarchy;

beforeAll(async () => {
  dynamo = await startDynamo();
  await dynamo.createRunsTable(TABLE);
  document = dynamo.client;
  runs = new DynamoHierarchy({ client: document, tableName: TABLE, sleep: async () => {} });
});

afterAll(() => dynamo?.close());

function record(minute: number, digest = 'abcdef0123456789'): RunRecord {
  return newRunRecord({
    startedAt: new Date(Date.UTC(2026, 10, 25, 10, minute)),
    digest,
    hierarchy: [4, 2],
    partitions: null,
    llm: 'offline@1',
    embedder: 'use-lite@0.2.0',
  });
}

function hierarchyOf(run: RunRecord, baseCount: number): HierarchyDoc {
  const { status: _s, stage: _st, finishedAt: _f, error: _e, ...info } = run;
  const base = Array.from({ length: baseCount }, (_, id) => ({
    level: 0,
    id,
    name: `base ${id}`,
    description: `about ${id}`,
    size: 3,
    partition: 'Default',
    parent: id % 2,
    children: [],
  }));
  const top = [0, 1].map((id) => ({
    level: 1,
    id,
    name: `top ${id}`,
    description: 'parent',
    size: base.filter((c) => c.parent === id).length * 3,
    partition: 'Default',
    parent: null,
    children: base.filter((c) => c.parent === id).map((c) => c.id),
  }));
  return {
    schemaVersion: 1,
    run: info,
    levels: [
      { level: 0, count: base.length },
      { level: 1, count: 2 },
    ],
    clusters: [...base, ...top],
    items: [],
  };
}

describe('DynamoHierarchy against a DynamoDB emulator', () => {
  it('stores a run record and reads it back with its cost, usage and timings', async () => {
    const run = record(0);
    run.usage = {
      inputTokens: 1200,
      outputTokens: 300,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      requests: 7,
    };
    run.costUsd = 0.0123;
    run.timingsMs = { load: 40, summarize: 900 };
    await runs.putRun(run);
    const stored = await runs.getRun(run.runId);
    expect(stored).toMatchObject({
      runId: run.runId,
      status: 'running',
      usage: run.usage,
      costUsd: 0.0123,
      timingsMs: { load: 40, summarize: 900 },
      failureCount: 0,
      durationMs: null,
    });
    expect(await runs.getRun('no-such-run')).toBeUndefined();
  });

  it('bounds the failures kept on the item and counts them all', async () => {
    const run = record(1);
    run.failures = Array.from({ length: MAX_LISTED + 20 }, (_, i) => ({
      stage: 'summarize' as const,
      id: `item-${i}`,
      reason: 'x'.repeat(2000),
    }));
    run.status = 'done';
    run.finishedAt = new Date(Date.UTC(2026, 10, 25, 10, 2)).toISOString();
    await runs.putRun(run);
    const stored = await runs.getRun(run.runId);
    expect(stored?.failureCount).toBe(MAX_LISTED + 20);
    expect(stored?.failures).toHaveLength(MAX_LISTED);
    expect(stored?.failures[0]?.reason.length).toBeLessThanOrEqual(500);
    expect(stored?.durationMs).toBe(60_000);
  });

  it('writes the hierarchy by run and level, with parents and children', async () => {
    const run = record(3);
    await runs.putRun(run);
    await runs.putHierarchy(hierarchyOf(run, 30));
    const base = await runs.listClusters(run.runId, 0);
    expect(base.map((c) => c.id)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const top = await runs.listClusters(run.runId, 1);
    expect(top[1]).toMatchObject({
      name: 'top 1',
      parent: null,
      children: [1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29],
    });
    expect(await runs.listClusters(run.runId)).toHaveLength(32);
    // The levels survive a later record write (Finalize writes the record after the hierarchy).
    run.status = 'done';
    await runs.putRun(run);
    expect((await runs.getRun(run.runId))?.levels).toEqual([
      { level: 0, count: 30 },
      { level: 1, count: 2 },
    ]);
  });

  it('replaces the clusters of an earlier attempt instead of mixing them in', async () => {
    const run = record(4);
    await runs.putHierarchy(hierarchyOf(run, 12));
    await runs.putHierarchy(hierarchyOf(run, 6));
    expect(await runs.listClusters(run.runId, 0)).toHaveLength(6);
  });

  it('lists runs newest first, optionally by status, without the hierarchy items', async () => {
    const first = record(10, '1111110000000000');
    const second = record(11, '2222220000000000');
    second.status = 'failed';
    second.error = 'ClioError: no items';
    await runs.putRun(first);
    await runs.putRun(second);
    const all = await runs.listRuns();
    expect(all.slice(0, 2).map((r) => r.runId)).toEqual([second.runId, first.runId]);
    const failed = await runs.listRuns({ status: 'failed' });
    expect(failed.map((r) => r.runId)).toEqual([second.runId]);
    expect(await runs.listRuns({ limit: 1 })).toHaveLength(1);
  });

  it('claims a start once, again for the same execution, and frees it only for its holder', async () => {
    const claims = new TriggerClaims({
      client: document,
      tableName: TABLE,
      now: () => new Date('2026-12-03T10:00:00Z'),
    });
    const [config, trigger] = ['configs/support.json', 'upload#abc'];
    const [first, second] = ['arn:aws:states:::execution:m:1', 'arn:aws:states:::execution:m:2'];
    expect(await claims.claim(config, trigger, first)).toBe(true);
    // The first attempt wrote the claim and timed out: its retry still holds it.
    expect(await claims.claim(config, trigger, first)).toBe(true);
    expect(await claims.claim(config, trigger, second)).toBe(false);
    const key = tableKeys.trigger(config, trigger);
    const { Item } = await document.send(new GetCommand({ TableName: TABLE, Key: key }));
    expect(Item).toMatchObject({
      executionArn: first,
      [TTL_ATTRIBUTE]: 1_796_292_000 + 15 * 86_400,
    });
    // The execution that lost the claim cannot free the winner's.
    expect(await claims.release(config, trigger, second)).toBe(false);
    expect(await claims.release(config, trigger, first)).toBe(true);
    expect(
      (await document.send(new GetCommand({ TableName: TABLE, Key: key }))).Item,
    ).toBeUndefined();
    expect(await claims.claim(config, trigger, second)).toBe(true);
  });

  it('remembers which run an execution created', async () => {
    const claims = new TriggerClaims({ client: document, tableName: TABLE });
    expect(await claims.runOf('arn:aws:states:::execution:m:9')).toBeUndefined();
    await claims.recordRun('arn:aws:states:::execution:m:9', '20261203T100000Z-abcdef-0001');
    expect(await claims.runOf('arn:aws:states:::execution:m:9')).toBe(
      '20261203T100000Z-abcdef-0001',
    );
  });

  it('refuses to be built without a table name', () => {
    expect(() => new DynamoHierarchy({ client: document, tableName: '' })).toThrow(/tableName/);
  });
});
