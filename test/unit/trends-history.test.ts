import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config/index.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import {
  HISTORY_INDEX,
  historyUpdate,
  pruneHistory,
  readHistory,
} from '../../lib/trends/history.js';
import { historyDoc } from '../helpers/history-docs.js';
import { memoryStore } from '../helpers/memory-store.js';

/** A memory store that can remove folders, as a local save_path can. */
function store() {
  const s = memoryStore();
  return Object.assign(s, {
    removeAll: async (prefix: string) => {
      for (const key of [...s.objects.keys()])
        if (key.startsWith(`${prefix}/`)) s.objects.delete(key);
    },
  });
}

async function record(
  s: ReturnType<typeof store>,
  docs: readonly (HierarchyDoc | undefined)[],
  retention = 30,
) {
  const update = await historyUpdate(s, docs, retention);
  for (const [key, body] of update.files) await s.write(key, body);
  await pruneHistory(s, update.pruned);
  return update;
}

describe('run history', () => {
  it('keeps each run a summary of its clusters, oldest first, with the replaced run backfilled', async () => {
    const s = store();
    // The first run with history replaces a run made before it.
    await record(s, [historyDoc(1, [3, 1]), historyDoc(2, [2, 2])]);
    await record(s, [historyDoc(2, [2, 2]), historyDoc(3, [1, 1, 2])]);
    const { runs, problems } = await readHistory(s);
    expect(problems).toEqual([]);
    expect(runs.map((r) => [r.runId, r.items, r.levels])).toEqual([
      ['run-1', 4, [2, 1]],
      ['run-2', 4, [2, 1]],
      ['run-3', 4, [3, 1]],
    ]);
    expect(runs[0]?.window).toEqual({ start: '2026-01-01', end: 'x' });
    expect(runs[0]?.clusters).toContainEqual({
      key: 'L0-k0',
      level: 0,
      name: 'base 0',
      size: 3,
      partition: 'Default',
      parentKey: 'L1-top',
    });
    // Nothing but the summaries and the index: no hierarchy is copied.
    expect([...s.objects.keys()].every((k) => k.startsWith('history/'))).toBe(true);
    expect([...s.objects.keys()].some((k) => k.includes(':'))).toBe(false);
  });

  it('prunes the oldest runs beyond retention, folders included', async () => {
    const s = store();
    for (let day = 1; day <= 5; day++) await record(s, [historyDoc(day, [2, 2])], 3);
    const { runs } = await readHistory(s);
    expect(runs.map((r) => r.runId)).toEqual(['run-3', 'run-4', 'run-5']);
    const folders = new Set([...s.objects.keys()].map((k) => k.split('/')[1]));
    expect(folders.size).toBe(4); // three runs and the index
    const none = await record(s, [historyDoc(6, [2, 2])], 0);
    expect(none.files).toEqual([[HISTORY_INDEX, expect.any(String)]]);
    expect((await readHistory(s)).runs).toEqual([]);
    expect([...s.objects.keys()]).toEqual([HISTORY_INDEX]);
  });

  it('replaces a run recorded again (an extend), and derives keys for runs made before keys', async () => {
    const s = store();
    await record(s, [historyDoc(1, [2, 2], false)]);
    await record(s, [historyDoc(1, [3, 2], false)]);
    const { runs } = await readHistory(s);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.items).toBe(5);
    expect(runs[0]?.clusters.every((c) => /^L[01]-[0-9a-f]{10}$/.test(c.key))).toBe(true);
  });

  it('starts over from a damaged index and names a missing summary', async () => {
    const s = store();
    await s.write(HISTORY_INDEX, 'not json');
    await record(s, [historyDoc(1, [2])]);
    await record(s, [historyDoc(2, [2])]);
    const [first] = [...s.objects.keys()].filter((k) => k.includes('run-1'));
    s.objects.delete(first as string);
    const { runs, problems } = await readHistory(s);
    expect(runs.map((r) => r.runId)).toEqual(['run-2']);
    expect(problems).toEqual([
      expect.stringContaining('run-1/summary.json is missing or unreadable'),
    ]);
  });
});

describe('the history config key', () => {
  const opts = { file: '/cfg/config.json', dir: '/cfg' };
  const base = { dataset_name: 'd', hierarchy: [4, 2], summary_prompt: 'Summarize {{example}}' };
  const problems = (history: unknown) => {
    try {
      parseConfig({ ...base, history }, opts);
    } catch (error) {
      return (error as ConfigError).problems.join(' | ');
    }
    return '';
  };

  it('keeps 30 runs unless told, 0 keeps none, and says what it expects', () => {
    expect(parseConfig(base, opts).history).toBe(30);
    expect(parseConfig({ ...base, history: 0 }, opts).history).toBe(0);
    expect(problems(-1)).toMatch(/`history`.*got -1.*a whole number of runs to keep/);
    expect(problems(2.5)).toContain('got 2.5');
    expect(problems('7')).toContain('got "7"');
    expect(() => parseConfig({ ...base, histroy: 3 }, opts)).toThrow(ConfigError);
    try {
      parseConfig({ ...base, histroy: 3 }, opts);
    } catch (error) {
      expect((error as ConfigError).problems.join(' ')).toContain('history');
    }
  });
});
