import { constants } from 'node:os';
import type { Store } from '../store/types.js';
import { ClioError } from '../util/errors.js';

/**
 * A local run ended by a signal (Ctrl-C, SIGTERM), after it saved its caches and recorded
 * where it stopped. The exit code is the shell's for that signal: 128 + its number.
 */
export class RunInterruptedError extends ClioError {
  override name = 'RunInterruptedError';
  readonly exitCode: number;

  constructor(
    readonly signal: string,
    readonly stage: string,
  ) {
    super(
      `interrupted (${signal}) during ${stage}. The summaries and embeddings done so far are cached: run the same command again to resume`,
    );
    const number = constants.signals[signal as keyof typeof constants.signals];
    this.exitCode = number === undefined ? 1 : 128 + number;
  }
}

/** The signal an abort reason names (`catchInterrupts` aborts with the signal's name). */
export const signalOf = (signal: AbortSignal): string =>
  typeof signal.reason === 'string' ? signal.reason : 'abort';

/** Rejects once `signal` aborts; a step is raced against it so an interrupt need not wait. */
export function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    const fail = () => reject(new RunInterruptedError(signalOf(signal), ''));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/**
 * The store the steps of an interruptible run write through: once `signal` aborts, their writes
 * are refused, so work still in flight cannot land on disk after the run has recorded that it
 * stopped (a late `run.json` of a step would overwrite "interrupted").
 */
export function fencedStore<S extends Store>(store: S, signal: AbortSignal): Store {
  const refuse = () => Promise.reject(new RunInterruptedError(signalOf(signal), ''));
  return {
    location: store.location,
    read: (key, options) => store.read(key, options),
    write: (key, body) => (signal.aborted ? refuse() : store.write(key, body)),
    ...(store.writeAll
      ? {
          writeAll: (files) =>
            signal.aborted ? refuse() : (store.writeAll as NonNullable<Store['writeAll']>)(files),
        }
      : {}),
  };
}
