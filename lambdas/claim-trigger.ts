import { z } from 'zod';
import type { LambdaDeps } from './deps.js';
import { stepHandler } from './runtime.js';

export const claimTriggerEventSchema = z.object({
  configKey: z.string().min(1),
  /** `upload#<etag>` or `schedule#<time>`: what must start at most one run. */
  trigger: z.string().min(1),
  executionArn: z.string().min(1),
});

/**
 * The first state of a triggered execution: claims the upload or tick for this execution, so a
 * duplicate delivery (or the same content uploaded again while its claim lives) starts nothing.
 */
export async function claimTrigger(
  event: z.infer<typeof claimTriggerEventSchema>,
  deps: LambdaDeps,
): Promise<{ claimed: boolean }> {
  if (!deps.claims) throw new Error('claim-trigger needs the run table (CLIO_TABLE_NAME)');
  return { claimed: await deps.claims.claim(event.configKey, event.trigger, event.executionArn) };
}

export const handler = stepHandler('claim-trigger', claimTriggerEventSchema, claimTrigger);
