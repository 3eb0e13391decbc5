import { z } from 'zod';
import { readRunRecord, type Spend } from '../lib/pipeline/run-record.js';
import { markFailed, reopenRun } from '../lib/pipeline/staged/index.js';
import { storeOfRun } from '../lib/pipeline/staged/layout.js';
import type { LambdaDeps } from './deps.js';
import { stepHandler } from './runtime.js';
import { spendMetrics } from './telemetry.js';

/** What the lifecycle rule forwards: EventBridge's "Step Functions Execution Status Change". */
export const executionStatusEventSchema = z.object({
  'detail-type': z.literal('Step Functions Execution Status Change'),
  detail: z.object({
    executionArn: z.string().min(1),
    status: z.string(),
    /** The execution's input as a JSON string; null when too large to include. */
    input: z.string().nullish(),
    error: z.string().nullish(),
    cause: z.string().nullish(),
    redriveCount: z.number().int().nonnegative().optional(),
  }),
});

type ExecutionStatusEvent = z.infer<typeof executionStatusEventSchema>;

/** How a run ended that no state of its own could record. */
export const ENDED_OUTSIDE_STATES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

const startSchema = z.object({ configKey: z.string(), trigger: z.string() });

function triggerOf(input: string | null | undefined) {
  if (!input) return undefined;
  try {
    const parsed = startSchema.safeParse(JSON.parse(input));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The error a Catch would have seen, for an execution that ended without one. */
function endingError(detail: ExecutionStatusEvent['detail']) {
  if (detail.status === 'TIMED_OUT')
    return { Error: 'States.Timeout', Cause: "the execution ran past the state machine's timeout" };
  if (detail.status === 'ABORTED')
    return { Error: 'ExecutionAborted', Cause: 'the execution was stopped' };
  return {
    Error: detail.error ?? 'States.Runtime',
    ...(detail.cause ? { Cause: detail.cause } : {}),
  };
}

const redriveNote = (executionArn: string) =>
  `(the execution can be redriven for 14 days to resume without paying again for finished work: aws stepfunctions redrive-execution --execution-arn ${executionArn})`;

export interface CloseRunResult {
  readonly runId: string | null;
  readonly action: 'closed' | 'reopened' | 'none';
  readonly releasedClaim: boolean;
  /** What the closed run spent that no metric has counted yet. */
  readonly spend?: Spend | undefined;
}

/**
 * Keeps run records and trigger claims true to their executions. An execution that failed,
 * timed out or was aborted outside a Catch (errors left for a redrive, the state machine's
 * timeout, a StopExecution) has its running run closed as failed and its claim released; one
 * that a redrive started again has its run reopened and its claim taken back.
 */
export async function closeRun(
  { detail }: ExecutionStatusEvent,
  deps: LambdaDeps,
): Promise<CloseRunResult> {
  const { claims } = deps;
  if (!claims) throw new Error('close-run needs the run table (CLIO_TABLE_NAME)');
  const runId = (await claims.runOf(detail.executionArn)) ?? null;
  const trigger = triggerOf(detail.input);
  if (detail.status === 'RUNNING' && (detail.redriveCount ?? 0) > 0) {
    const reopened = runId ? await reopenRun(runId, deps) : false;
    if (trigger) await claims.claim(trigger.configKey, trigger.trigger, detail.executionArn);
    return { runId, action: reopened ? 'reopened' : 'none', releasedClaim: false };
  }
  if (!(ENDED_OUTSIDE_STATES as readonly string[]).includes(detail.status))
    return { runId, action: 'none', releasedClaim: false };
  let action: CloseRunResult['action'] = 'none';
  let spend: Spend | undefined;
  if (runId) {
    const record = await readRunRecord(storeOfRun(deps, runId));
    // A run MarkFailed or Finalize already ended keeps its own, more specific, reason.
    if (record?.status === 'running') {
      ({ spend } = await markFailed(
        { runId, error: endingError(detail), note: redriveNote(detail.executionArn) },
        deps,
      ));
      action = 'closed';
    }
  }
  const releasedClaim = trigger
    ? await claims.release(trigger.configKey, trigger.trigger, detail.executionArn)
    : false;
  return { runId, action, releasedClaim, spend };
}

export const handler = stepHandler('close-run', executionStatusEventSchema, closeRun, {
  // A run closed here failed as surely as one MarkFailed recorded: counted alike.
  measure: (out) => (out.action === 'closed' ? { runsFailed: 1, ...spendMetrics(out.spend) } : {}),
});
