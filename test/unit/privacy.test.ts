import { describe, expect, it } from 'vitest';
import type { ClusterNode, Level } from '../../lib/cluster/types.js';
import { configSchema } from '../../lib/config/schema.js';
import { BudgetExceededError } from '../../lib/llm/ledger.js';
import type { SummarizedItem } from '../../lib/pipeline/types.js';
import { auditLevel } from '../../lib/privacy/audit.js';
import { applyPrivacyFloor } from '../../lib/privacy/floor.js';
import { shownRun } from '../../lib/privacy/shown.js';
import { identityOf } from '../../lib/privacy/users.js';
import type { AuditClusterInput } from '../../lib/prompts/privacy-audit.js';
import { ScriptedLlm } from '../helpers/scripted-llm.js';

const item = (id: string, metadata: Record<string, unknown> = {}): SummarizedItem => ({
  item: { id, inputs: id, metadata },
  summary: `summary of ${id}`,
  partition: 'Default',
});

const node = (
  level: number,
  id: number,
  itemIndices: number[],
  extra: Partial<ClusterNode> = {},
): ClusterNode => ({
  level,
  id,
  name: `L${level}C${id}`,
  description: `cluster ${id}`,
  partition: 'Default',
  children: [],
  itemIndices,
  centroid: new Float32Array([1, 0]),
  ...extra,
});

describe('identityOf', () => {
  it('takes the user from metadata, else the thread, else the item itself', () => {
    expect(identityOf(item('a', { user_id: 'u1', thread_id: 't' }).item).key).toBe('user:u1');
    expect(identityOf(item('a', { userId: 7 }).item)).toEqual({ key: 'user:7', source: 'user' });
    expect(identityOf(item('a', { thread_id: 't9', user: '  ' }).item).source).toBe('thread');
    expect(identityOf(item('a').item)).toEqual({ key: 'item:a', source: 'item' });
  });
});

describe('applyPrivacyFloor', () => {
  const items = [
    ...['u1', 'u1', 'u2', 'u1'].map((u, i) => item(`a${i}`, { user_id: u })),
    ...['u3', 'u4', 'u5'].map((u, i) => item(`b${i}`, { user_id: u })),
    item('c0', { user_id: 'u6' }),
  ];
  const level = (): Level => [node(0, 0, [0, 1, 2, 3]), node(0, 1, [4, 5, 6]), node(0, 2, [7])];

  it('withholds clusters below min_cluster_size or min_distinct_users, and says how many items', () => {
    const base = level();
    const result = applyPrivacyFloor(base, items, { minClusterSize: 2, minDistinctUsers: 3 });
    expect(base.map((c) => c.withheld)).toEqual(['users', undefined, 'size']);
    expect(result.clusters).toEqual({ size: 1, users: 1 });
    expect(result.items).toBe(5);
    expect(result.warnings).toEqual([
      '1 items withheld: their base clusters are smaller than min_cluster_size (2)',
      '4 items withheld: their base clusters have fewer than min_distinct_users (3) distinct users',
    ]);
  });

  it('says when items name no user, since counting threads or items can only overcount', () => {
    const anonymous = [item('x'), item('y', { thread_id: 't1' }), item('z', { user_id: 'u' })];
    const result = applyPrivacyFloor([node(0, 0, [0, 1, 2])], anonymous, {
      minClusterSize: 1,
      minDistinctUsers: 2,
    });
    expect(result.warnings[0]).toContain('2 items name no user in their metadata');
    expect(result.warnings[0]).toContain('1 by their thread and 1 as one user each');
  });

  it('fails the run with the largest possible setting when it would withhold everything', () => {
    expect(() =>
      applyPrivacyFloor(level(), items, { minClusterSize: 1, minDistinctUsers: 4 }),
    ).toThrow(
      'min_distinct_users 4 withholds every cluster: the base cluster with the most users has 3, so nothing is left to show; set min_distinct_users to at most 3',
    );
    expect(() =>
      applyPrivacyFloor(level(), items, { minClusterSize: 5, minDistinctUsers: 1 }),
    ).toThrow('min_cluster_size 5 withholds every cluster: the largest base cluster has 4 items');
  });

  it('changes nothing at the defaults', () => {
    const base = level();
    expect(applyPrivacyFloor(base, items, { minClusterSize: 1, minDistinctUsers: 1 })).toEqual({
      clusters: {},
      items: 0,
      warnings: [],
    });
    expect(base.every((c) => c.withheld === undefined)).toBe(true);
  });
});

describe('shownRun', () => {
  const items = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => item(id));
  const vectors = items.map((_, i) => new Float32Array([i, 1]));
  const levels = (): Level[] => [
    [
      node(0, 0, [0, 1], { parent: 0 }),
      node(0, 1, [2], { withheld: 'size' }),
      node(0, 2, [3, 4], { parent: 1 }),
      node(0, 3, [5], { parent: 1 }),
    ],
    [
      node(1, 0, [0, 1], { children: [0] }),
      node(1, 1, [3, 4, 5], { children: [2, 3], withheld: 'audit' }),
    ],
  ];

  it('keeps an item only under shown clusters at every level, and re-indexes what is left', () => {
    const shown = shownRun(items, vectors, levels());
    expect(shown.items.map((i) => i.item.id)).toEqual(['a', 'b']);
    expect(shown.withheldIds).toEqual(['c', 'd', 'e', 'f']);
    expect(shown.vectors).toEqual([vectors[0], vectors[1]]);
    expect(shown.levels.map((l) => l.map((c) => [c.id, c.itemIndices]))).toEqual([
      [[0, [0, 1]]],
      [[0, [0, 1]]],
    ]);
  });

  it('drops children that are no longer shown and leaves a run with nothing withheld alone', () => {
    const partly = levels();
    (partly[1] as Level)[1] = node(1, 1, [3, 4, 5], { children: [1, 2, 3] });
    const shown = shownRun(items, vectors, partly);
    expect(shown.withheldIds).toEqual(['c']);
    expect(shown.levels[1]?.find((c) => c.id === 1)?.children).toEqual([2, 3]);
    expect(shown.levels[0]?.map((c) => c.itemIndices)).toEqual([[0, 1], [2, 3], [4]]);

    const open = shownRun(items.slice(0, 2), vectors.slice(0, 2), [[node(0, 0, [0, 1])]]);
    expect(open.withheldIds).toEqual([]);
    expect(open.items).toHaveLength(2);
  });
});

describe('auditLevel', () => {
  const audit = (rating: (input: AuditClusterInput) => number) =>
    new ScriptedLlm({
      audit_cluster: (input: AuditClusterInput) => ({
        rating: rating(input),
        reason: 'checked',
        safeName: input.name.replace('Acme', 'a company'),
        safeDescription: input.description.replace('Acme', 'a company'),
      }),
    });
  const clusters = () => [
    node(0, 0, [0], { name: 'Reset passwords', description: 'Locked out users.' }),
    node(0, 1, [1], { name: 'Acme exports', description: 'Acme staff export files.' }),
    node(0, 2, [2], { name: 'Big refunds', description: 'Held back already.', withheld: 'size' }),
  ];
  const deps = (llm: ScriptedLlm) => ({ llm, concurrency: 2 });

  it('renames a cluster rated above max_rating, after rating the new wording too', async () => {
    const level = clusters();
    const llm = audit((input) => (input.name.includes('Acme') ? 4 : 1));
    const result = await auditLevel(level, { max_rating: 2, action: 'rename' }, deps(llm));
    expect(result.counts).toEqual({ audited: 2, renamed: 1, withheld: 0, failed: 0 });
    expect(level[1]?.name).toBe('a company exports');
    expect(level[1]?.withheld).toBeUndefined();
    expect(level[1]?.description).toBe('a company staff export files.');
    // Two first ratings and one of the new wording; the withheld cluster is not sent at all.
    expect(llm.calls.get('audit_cluster')).toBe(3);
  });

  it('withholds a cluster whose new wording is still rated too high, or at once with "withhold"', async () => {
    const stubborn = clusters();
    const always = audit((input) => (input.description.includes('export') ? 5 : 1));
    const renamed = await auditLevel(stubborn, { max_rating: 2, action: 'rename' }, deps(always));
    expect(renamed.counts).toEqual({ audited: 2, renamed: 0, withheld: 1, failed: 0 });
    expect(stubborn[1]).toMatchObject({ name: 'Acme exports', withheld: 'audit' });

    const strict = clusters();
    const llm = audit((input) => (input.name.includes('Acme') ? 3 : 2));
    const held = await auditLevel(strict, { max_rating: 2, action: 'withhold' }, deps(llm));
    expect(held.counts).toEqual({ audited: 2, renamed: 0, withheld: 1, failed: 0 });
    expect(strict.map((c) => c.withheld)).toEqual([undefined, 'audit', 'size']);
  });

  it('withholds and records a cluster whose audit fails; a spent budget stops the audit', async () => {
    const level = clusters();
    const failing = new ScriptedLlm({
      audit_cluster: (input: AuditClusterInput) => {
        if (input.name.includes('Acme')) throw new Error('overloaded');
        return {
          rating: 1,
          reason: 'ok',
          safeName: input.name,
          safeDescription: input.description,
        };
      },
    });
    const result = await auditLevel(level, { max_rating: 2, action: 'rename' }, deps(failing));
    expect(result.counts).toEqual({ audited: 1, renamed: 0, withheld: 0, failed: 1 });
    expect(level[1]?.withheld).toBe('audit');
    expect(result.failures).toEqual([
      {
        stage: 'audit',
        id: 'level 0 cluster 1',
        reason: 'withheld, the privacy audit failed: overloaded',
        code: undefined,
      },
    ]);

    const broke = new ScriptedLlm({
      audit_cluster: () => {
        throw new BudgetExceededError('budget_usd 1 spent');
      },
    });
    await expect(
      auditLevel(clusters(), { max_rating: 2, action: 'rename' }, deps(broke)),
    ).rejects.toThrow('budget_usd 1 spent');
  });
});

describe('privacy config', () => {
  const base = { dataset_name: 'd', hierarchy: [4], summary_prompt: '{{example.inputs}}' };
  it('defaults to no floor and no audit; `true` takes the audit defaults', () => {
    const parsed = configSchema.parse(base);
    expect(parsed).toMatchObject({ min_distinct_users: 1, privacy_audit: null });
    expect(configSchema.parse({ ...base, privacy_audit: true }).privacy_audit).toEqual({
      max_rating: 2,
      action: 'rename',
    });
  });
  it('rejects a max_rating nothing could exceed, and an unknown action', () => {
    expect(configSchema.safeParse({ ...base, privacy_audit: { max_rating: 5 } }).success).toBe(
      false,
    );
    expect(configSchema.safeParse({ ...base, privacy_audit: { action: 'drop' } }).success).toBe(
      false,
    );
  });
});
