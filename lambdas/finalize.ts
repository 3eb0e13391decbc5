import { finalizeInputSchema, finalizeRun } from '../lib/pipeline/staged/index.js';
import { stepHandler } from './runtime.js';
import { spendMetrics } from './telemetry.js';

/** Finalize: outputs to S3, hierarchy to DynamoDB, the run published, marked done. */
export const handler = stepHandler('finalize', finalizeInputSchema, finalizeRun, {
  // The run's totals, once per finished run; a clean run reports 0 partial failures, so the
  // metric has a point per run and its average is the share of runs that lost batches.
  measure: (out) => ({
    runsFinished: 1,
    runsPartiallyFailed: out.failedBatches > 0 ? 1 : 0,
    runItems: out.items,
    runFailedItems: out.failedItems,
    runFailedBatches: out.failedBatches,
    // Only what was not counted when an earlier attempt of the run failed.
    ...spendMetrics(out.newSpend),
  }),
});
