import { z } from 'zod';
import { prepareInputSchema, prepareRun } from '../lib/pipeline/staged/index.js';
import type { LambdaDeps } from './deps.js';
import { stepHandler } from './runtime.js';

export const prepareEventSchema = z.object({
  /** The execution's input: the config key and what started it. */
  start: prepareInputSchema,
  executionArn: z.string().min(1),
});

/**
 * Prepare: validate the uploaded config, load and sample its items, write them in batches. The
 * run is tied to its execution at once, so the lifecycle rule can close it whatever ends it.
 */
export async function prepareExecution(
  event: z.infer<typeof prepareEventSchema>,
  deps: LambdaDeps,
) {
  const { claims } = deps;
  return prepareRun(event.start, {
    ...deps,
    ...(claims
      ? { runCreated: (runId: string) => claims.recordRun(event.executionArn, runId) }
      : {}),
  });
}

export const handler = stepHandler('prepare', prepareEventSchema, prepareExecution);
