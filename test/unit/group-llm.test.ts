import { describe, expect, it } from 'vitest';
import { groupWithLlm } from '../../lib/cluster/group-llm.js';
import type {
  AssignParentInput,
  ProposeParentsInput,
  RenameParentInput,
} from '../../lib/prompts/grouping.js';
import { ScriptedLlm, wordEmbedder } from '../helpers/scripted-llm.js';

const children = [
  { name: 'Request refund for double charge', description: 'money back' },
  { name: 'Dispute invoice amount', description: 'billing totals' },
  { name: 'Reset forgotten password', description: 'sign in trouble' },
  { name: 'Enable two factor login', description: 'sign in security' },
  { name: 'Change card on invoice', description: 'billing card' },
];

const parentOf = (name: string) =>
  /refund|invoice|card/i.test(name) ? 'Handle billing' : 'Fix sign in';

describe('groupWithLlm', () => {
  it('proposes, merges, assigns and renames parents', async () => {
    const llm = new ScriptedLlm({
      propose_parents: (input: ProposeParentsInput) => ({
        names: [...new Set(input.clusters.map((c) => parentOf(c.name)))],
      }),
      assign_parent: (input: AssignParentInput) => ({ parent: parentOf(input.cluster.name) }),
      rename_parent: (input: RenameParentInput) => ({
        name: `${parentOf(input.children[0]?.name ?? '')} (${input.children.length})`,
        description: input.children.map((c) => c.name).join('; '),
      }),
    });
    const { groups, failures } = await groupWithLlm(children, 2, {
      llm,
      embedder: wordEmbedder,
      concurrency: 2,
      seed: 1,
    });
    expect(failures).toEqual([]);
    expect(groups?.map((g) => [g.name, g.members])).toEqual([
      ['Handle billing (3)', [0, 1, 4]],
      ['Fix sign in (2)', [2, 3]],
    ]);
    const calls = [...llm.calls.values()].reduce((a, b) => a + b, 0);
    expect(calls).toBe((llm.calls.get('propose_parents') ?? 0) + 5 + 2);
  });

  it('files a cluster by meaning and records a failure when its assignment never validates', async () => {
    const llm = new ScriptedLlm({
      propose_parents: () => ({ names: ['Handle billing', 'Fix sign in password'] }),
      assign_parent: (input: AssignParentInput) =>
        input.cluster.name.startsWith('Reset')
          ? { parent: 'Not an offered parent' }
          : {
              parent:
                parentOf(input.cluster.name) === 'Fix sign in'
                  ? 'Fix sign in password'
                  : 'Handle billing',
            },
      rename_parent: (input: RenameParentInput) => ({
        name: 'n',
        description: `${input.children.length}`,
      }),
    });
    const { groups, failures } = await groupWithLlm(children, 2, {
      llm,
      embedder: wordEmbedder,
      concurrency: 1,
      seed: 1,
    });
    expect(failures).toHaveLength(1);
    expect(failures[0]?.id).toContain('Reset forgotten password');
    // Not dropped: it is in exactly one group, the one whose name shares its words.
    const holding = (groups ?? []).filter((g) => g.members.includes(2));
    expect(holding).toHaveLength(1);
    expect(holding[0]?.members).toContain(3);
    expect(groups?.flatMap((g) => g.members).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});
