import type { ProgressReporter } from '../pipeline/types.js';
import { isRunning, type Phase, type RunProgress } from './follow.js';
import { explorerRunUrl } from './stack.js';

/**
 * Turns successive looks at a remote run into the local progress display: a bar for the
 * Summarize batches and one for the cluster levels on a terminal (plain lines elsewhere, as
 * `terminalProgress` does), and a line for each other step.
 */
export function remoteProgress(
  reporter: ProgressReporter,
  explorerUrl: string | undefined,
): (progress: RunProgress) => void {
  let phase: Phase | undefined;
  let bar: 'batches' | 'levels' | undefined;
  let announced = false;
  const closeBar = () => {
    if (bar) reporter.finish();
    bar = undefined;
  };
  return (p) => {
    if (p.prepared && !announced) {
      announced = true;
      const { runId, itemCount, batchCount, levelCount } = p.prepared;
      const loaded = p.record?.counts.loaded;
      reporter.info(
        `run ${runId}: ${itemCount} items${loaded !== undefined && loaded !== itemCount ? ` (of ${loaded} loaded)` : ''} in ${batchCount} batches, ${levelCount} levels`,
      );
      if (explorerUrl) reporter.info(`explorer (once done): ${explorerRunUrl(explorerUrl, runId)}`);
    }
    if (p.phase !== phase) {
      closeBar();
      phase = p.phase;
      if (phase === 'summarize') {
        reporter.start('summarize batches', p.batches?.total ?? p.prepared?.batchCount ?? 0);
        bar = 'batches';
      } else if (phase === 'cluster') {
        reporter.start('cluster levels', p.prepared?.levelCount ?? 0);
        bar = 'levels';
      } else if (phase === 'prepare') reporter.info('prepare: loading and sampling the items');
      else if (phase === 'finalize') reporter.info('finalize: writing the outputs');
      else if (phase === 'failing') reporter.info('the run failed; recording why');
    }
    if (bar === 'batches') reporter.tick(p.batches?.done ?? 0);
    if (bar === 'levels') reporter.tick(p.levelsDone);
    if (!isRunning(p.status)) closeBar();
  };
}
