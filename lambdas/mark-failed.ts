import { z } from 'zod';
import { markFailed } from '../lib/pipeline/staged/index.js';
import type { LambdaDeps } from './deps.js';
import { stepHandler } from './runtime.js';
import { spendMetrics } from './telemetry.js';

/**
 * The whole execution state as a Catch leaves it (the start input, Prepare's result when it got
 * that far, and the error), and the execution. Passed whole because a JSONPath parameter naming
 * `$.prepare.runId` would itself fail when Prepare is what failed.
 */
export const markFailedEventSchema = z.object({
  state: z.object({
    configKey: z.string().optional(),
    /** `upload#<etag>` or `schedule#<time>`: the claim that kept this start from repeating. */
    trigger: z.string().optional(),
    prepare: z.object({ runId: z.string() }).optional(),
    error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  }),
  executionArn: z.string().min(1),
});

type MarkFailedEvent = z.infer<typeof markFailedEventSchema>;

/**
 * Records why the run stopped, then releases this execution's claim on its trigger, so that
 * uploading the same config again (after fixing what failed outside it) starts a new run.
 */
export async function markRunFailed({ state, executionArn }: MarkFailedEvent, deps: LambdaDeps) {
  const result = await markFailed(
    { runId: state.prepare?.runId, configKey: state.configKey, error: state.error },
    deps,
  );
  if (state.configKey && state.trigger)
    await deps.claims?.release(state.configKey, state.trigger, executionArn);
  return result;
}

export const handler = stepHandler('mark-failed', markFailedEventSchema, markRunFailed, {
  runIdOf: (event) => event.state.prepare?.runId,
  // Every run that ends here, with or without a run record (a config rejected by Prepare).
  measure: (out) => ({ runsFailed: 1, ...spendMetrics(out.spend) }),
});
