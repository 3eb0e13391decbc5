import fc from 'fast-check';
import type { RootRun } from '../../lib/sources/langsmith/index.js';

const T0 = Date.parse('2025-07-19T00:00:00Z');
const KEYS = ['user', 'label', 'thread_id', 'app', 'turns', 'run_name'];
const json = fc.jsonValue({ maxDepth: 2 });

/**
 * Root runs as a window holds them: unique ids, start times that often tie to the millisecond,
 * a few threads (one of them named like a run, and runs without one), inputs and outputs of any
 * JSON, metadata whose keys may clash with the ones items add.
 */
export const rootRunsArbitrary = (maxLength = 60): fc.Arbitrary<RootRun[]> =>
  fc.uniqueArray(fc.integer({ min: 0, max: 10_000 }), { maxLength }).chain((ids) =>
    fc.tuple(
      ...ids.map((n) =>
        fc.record({
          id: fc.constant(`run-${n}`),
          name: fc.option(fc.constantFrom('agent', 'ChatModel'), { nil: undefined }),
          startTime: fc.integer({ min: 0, max: 6 }).map((ms) => new Date(T0 + ms)),
          inputs: json,
          outputs: fc.option(json, { nil: undefined }).map((v) => (v === null ? undefined : v)),
          metadata: fc.dictionary(fc.constantFrom(...KEYS), json, { maxKeys: 3 }),
          threadId: fc.option(fc.constantFrom('t-a', 't-b', 't-c', `run-${ids[0]}`), {
            nil: undefined,
          }),
        }),
      ),
    ),
  );

/** What a store holds after JSON: the form items are compared in. */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
