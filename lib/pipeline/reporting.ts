import type { ProgressReporter } from './types.js';

/** Warnings of one kind printed before the rest are only counted: enough to see the pattern. */
export const WARNINGS_SHOWN_PER_KIND = 20;

/**
 * Prints a list of warnings of one kind (problems with the source's rows, summaries' warnings,
 * a level's adjustments) as a person can read them: the first `WARNINGS_SHOWN_PER_KIND`, then
 * one line with how many more there are and where the whole list is kept. A file with 50,000
 * bad rows must not bury the run's progress (or a Lambda's log) under 50,000 lines.
 */
export function reportWarnings(
  progress: ProgressReporter | undefined,
  messages: readonly string[],
  options: { readonly kind: string; readonly where?: string },
): void {
  if (!progress) return;
  for (const message of messages.slice(0, WARNINGS_SHOWN_PER_KIND)) progress.warn(message);
  const rest = messages.length - WARNINGS_SHOWN_PER_KIND;
  if (rest > 0) {
    progress.warn(
      `… and ${rest} more ${options.kind}; all ${messages.length} are listed in ${options.where ?? 'run.json'}`,
    );
  }
}

/**
 * How much of a stage's work there was and where it came from, e.g. "120 summaries (120
 * cached)" on a re-run, "120 summaries (100 cached, 18 new, 2 failed)" on a resumed one.
 */
export function describeWork(
  total: number,
  noun: string,
  counts: { readonly cached: number; readonly failed?: number; readonly skipped?: number },
): string {
  const failed = counts.failed ?? 0;
  const skipped = counts.skipped ?? 0;
  const fresh = total - counts.cached - failed - skipped;
  const parts = [
    ...(counts.cached > 0 ? [`${counts.cached} cached`] : []),
    ...(counts.cached > 0 && fresh > 0 ? [`${fresh} new`] : []),
    ...(failed > 0 ? [`${failed} failed`] : []),
    ...(skipped > 0 ? [`${skipped} skipped (no text to summarize)`] : []),
  ];
  return `${total} ${noun}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}
