import { type Evaluation, evaluateRun } from '../evaluate/evaluate.js';
import type { CommandOptions } from './generate-command.js';
import { openLocalRun } from './local-run.js';

/** `open-clio evaluate`: scores the run the config's `save_path` holds. */
export async function runEvaluateCommand(
  options: CommandOptions,
): Promise<{ evaluation: Evaluation; files: string[]; location: string }> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    options.progress.start('embed summaries', 1);
    const result = await evaluateRun(run.store, { embedder: run.embedder });
    options.progress.finish();
    return { ...result, location: run.store.location };
  } finally {
    await run.close();
  }
}

/** The few lines printed after an evaluation. */
export function formatEvaluation(
  evaluation: Evaluation,
  location: string,
  files: readonly string[],
): string {
  const lines = [
    `Evaluated ${evaluation.items} items. Report in ${location}: ${files.join(', ')}`,
    '',
  ];
  lines.push(
    'level  nearest-own  silhouette  uniqueness' +
      (evaluation.labels ? '   NMI    ARI  purity' : ''),
  );
  evaluation.fit.forEach((fit, i) => {
    const label = evaluation.labels?.[i];
    lines.push(
      `${String(fit.level).padEnd(5)}  ${(fit.nearestOwn * 100).toFixed(1).padStart(10)}%  ${fit.silhouette.toFixed(3).padStart(10)}  ${fit.uniqueness.toFixed(3).padStart(10)}` +
        (label
          ? `  ${label.nmi.toFixed(3)}  ${label.ari.toFixed(3)}  ${label.purity.toFixed(3)}`
          : ''),
    );
  });
  return lines.join('\n');
}
