import { describe, expect, it } from 'vitest';
import { historyUpdate, runSummary } from '../../lib/trends/history.js';
import { prepareVizData } from '../../lib/viz/prepare.js';
import { vizTrends } from '../../lib/viz/trends.js';
import { historyDoc } from '../helpers/history-docs.js';
import { memoryStore } from '../helpers/memory-store.js';

/** A save_path whose history the real writer recorded, one run at a time. */
async function savePath(docs: Parameters<typeof historyUpdate>[1]) {
  const store = memoryStore();
  for (const doc of docs) {
    const update = await historyUpdate(store, [doc], 30);
    for (const [key, body] of update.files) await store.write(key, body);
  }
  return store;
}

describe("the explorer's trends.json", () => {
  it('gives both levels of the kept runs and which of them the explorer can open', async () => {
    const store = await savePath([
      historyDoc(1, [3, 1]),
      historyDoc(2, [2, 2]),
      historyDoc(3, [1, 1, 2]),
    ]);
    // The explorer on a save_path lists its run and the one it replaced (previous/).
    const trends = await vizTrends(store, [
      { key: 'results', runId: 'run-3' },
      { key: 'previous', runId: 'run-2' },
      { key: 'elsewhere' },
    ]);
    expect(trends.shown).toEqual({ 'run-3': 'results', 'run-2': 'previous' });
    expect(trends.top.runs.map((r) => r.runId)).toEqual(['run-1', 'run-2', 'run-3']);
    expect(trends.top.level).toBe('top');
    expect(trends.base.level).toBe('base');
    const base = Object.fromEntries(trends.base.clusters.map((c) => [c.key, c]));
    expect(base['L0-k0']?.shares).toEqual([0.75, 0.5, 0.25]);
    expect(base['L0-k2']?.shares).toEqual([0, 0, 0.5]);
    expect(base['L0-k2']?.status).toBe('new');
    expect(trends.top.clusters.map((c) => c.shares)).toEqual([[1, 1, 1]]);
    expect(trends.problems).toEqual([]);
  });

  it('has no runs, rather than failing, for a save_path without history', async () => {
    const trends = await vizTrends(memoryStore(), [{ key: 'results', runId: 'run-1' }]);
    expect(trends.top.runs).toEqual([]);
    expect(trends.top.clusters).toEqual([]);
    expect(trends.shown).toEqual({});
  });

  it('names a kept run it cannot read and leaves it out', async () => {
    const store = await savePath([historyDoc(1, [2]), historyDoc(2, [2])]);
    const [lost] = [...store.objects.keys()].filter((k) => k.endsWith('summary.json'));
    store.objects.delete(lost as string);
    const trends = await vizTrends(store, []);
    expect(trends.top.runs.map((r) => r.runId)).toEqual(['run-2']);
    expect(trends.problems).toEqual([expect.stringContaining(lost as string)]);
  });
});

describe('cluster keys in the explorer index', () => {
  it('are the keys the history records, also for a run made before keys', () => {
    for (const doc of [historyDoc(1, [3, 1, 2]), historyDoc(2, [3, 1, 2], false)]) {
      const recorded = runSummary(doc).clusters.map((c) => `${c.level} ${c.name} ${c.key}`);
      const shown = prepareVizData(doc).index.clusters.map((c) => `${c.level} ${c.name} ${c.key}`);
      expect(shown.sort()).toEqual(recorded.sort());
    }
  });
});
