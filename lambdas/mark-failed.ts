import { z } from 'zod';
import { markFailed } from '../lib/pipeline/staged/index.js';
import type { LambdaDeps } from './deps.js';
import { stepHandler } from './runtime.js';

/**
 * The whole execution state as a Catch leaves it: the start input, Prepare's result when it got
 * that far, and the error. Passed whole because a JSONPath parameter naming `$.prepare.runId`
 * would itself fail when Prepare is what failed.
 */
export const markFailedEventSchema = z.object({
  configKey: z.string().optional(),
  /** `upload#<etag>` or `schedule#<time>`: the claim that kept this start from repeating. */
  trigger: z.string().optional(),
  prepare: z.object({ runId: z.string() }).optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
});

type MarkFailedEvent = z.infer<typeof markFailedEventSchema>;

/**
 * Records why the run stopped, then releases the trigger's claim so that uploading the same
 * config again (after fixing what failed outside it) starts a new run.
 */
export async function markRunFailed(event: MarkFailedEvent, deps: LambdaDeps) {
  const result = await markFailed(
    { runId: event.prepare?.runId, configKey: event.configKey, error: event.error },
    deps,
  );
  if (event.configKey && event.trigger)
    await deps.runs?.releaseTrigger(event.configKey, event.trigger);
  return result;
}

export const handler = stepHandler('mark-failed', markFailedEventSchema, markRunFailed, {
  runIdOf: (event) => event.prepare?.runId,
  // Every run that ends here, with or without a run record (a config rejected by Prepare).
  measure: () => ({ runsFailed: 1 }),
});
