import { constants } from 'node:os';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export interface Interrupts {
  /** Aborts, with the signal's name as its reason, on the first Ctrl-C or SIGTERM. */
  readonly signal: AbortSignal;
  /** Gives the signals back to Node's default (ending the process). */
  dispose(): void;
}

/**
 * Turns the first Ctrl-C or SIGTERM into an abort the run answers by saving its work and saying
 * where it stopped; a second one ends the process at once, for a user who will not wait.
 */
export function catchInterrupts(write: (line: string) => void): Interrupts {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(128 + (constants.signals[name] ?? 0));
    write(
      `${name === 'SIGINT' ? 'Ctrl-C' : name}: saving the work done so far (press Ctrl-C again to quit at once)`,
    );
    controller.abort(name);
  };
  for (const name of SIGNALS) process.on(name, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of SIGNALS) process.off(name, onSignal);
    },
  };
}
