import { compareRuns } from '../compare/compare.js';
import { loadRun } from '../compare/load.js';
import type { RunLocation } from './runs.js';

/** Comparisons kept in memory: a few KB each, but each costs two hierarchy reads to make. */
const KEPT_COMPARISONS = 16;

/**
 * The explorer's comparison files (`{b}/compare/{a}.json`, see format.ts): made on first request
 * by the same `compareRuns` as `open-clio compare`, then kept.
 */
export function comparisonCache(runs: readonly RunLocation[]) {
  const byKey = new Map(runs.map((run) => [run.key, run]));
  const made = new Map<string, Promise<string>>();
  return {
    /** From run `a` to run `b`, as JSON; undefined when either is not a run here. */
    get(a: string, b: string): Promise<string> | undefined {
      const from = byKey.get(a);
      const to = byKey.get(b);
      if (!from || !to) return undefined;
      const id = `${a}\n${b}`;
      let body = made.get(id);
      if (!body) {
        body = Promise.all([loadRun(from.file, from.name), loadRun(to.file, to.name)]).then(
          ([x, y]) => JSON.stringify(compareRuns(x, y)),
        );
        body.catch(() => made.delete(id));
        made.set(id, body);
        for (const old of made.keys()) if (made.size > KEPT_COMPARISONS) made.delete(old);
      }
      return body;
    },
  };
}
