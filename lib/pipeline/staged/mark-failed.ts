import { z } from 'zod';
import { readRunRecord, type Spend, takeUnreportedSpend, writeRunRecord } from '../run-record.js';
import type { StagedDeps } from './deps.js';
import { storeOfRun } from './layout.js';
import type { MarkFailedInput } from './types.js';

export const markFailedInputSchema = z.object({
  runId: z.string().optional(),
  configKey: z.string().optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
  note: z.string().optional(),
});

/** The readable reason in a Step Functions error: a Lambda's Cause is JSON with `errorMessage`. */
export function failureReason(error: MarkFailedInput['error']): string {
  const cause = error.Cause ?? '';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown; errorType?: unknown };
    if (typeof parsed.errorMessage === 'string') {
      return `${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`;
    }
  } catch {
    // Not JSON: the cause is plain text.
  }
  return [error.Error, cause].filter(Boolean).join(': ') || 'unknown error';
}

/** The error class a Lambda's Cause names (`errorType`), or the state's `Error`. */
function failureType(error: MarkFailedInput['error']): string | undefined {
  try {
    const parsed = JSON.parse(error.Cause ?? '') as { errorType?: unknown };
    if (typeof parsed.errorType === 'string') return parsed.errorType;
  } catch {
    // Not JSON: only the state's Error names it.
  }
  return error.Error;
}

/**
 * MarkFailed: records why a run stopped (a spent budget: status `stopped`). A failure before
 * Prepare created the run (a bad config) has no run record to update; the reason is returned
 * for the execution's output.
 */
export async function markFailed(
  input: MarkFailedInput,
  deps: StagedDeps,
): Promise<{ runId: string | null; reason: string; spend?: Spend }> {
  const reason = [failureReason(input.error), input.note].filter(Boolean).join(' ');
  if (!input.runId)
    return { runId: null, reason: input.configKey ? `${input.configKey}: ${reason}` : reason };
  const store = storeOfRun(deps, input.runId);
  const record = await readRunRecord(store);
  if (record) {
    record.status = failureType(input.error) === 'BudgetExceededError' ? 'stopped' : 'failed';
    record.error = reason;
    record.finishedAt = (deps.now?.() ?? new Date()).toISOString();
    const spend = takeUnreportedSpend(record);
    await writeRunRecord(store, record);
    await deps.runIndex?.putRun(record);
    return { runId: input.runId, reason, spend };
  }
  return { runId: input.runId, reason };
}

/**
 * A run whose execution was redriven is running again: its steps pick up from their caches,
 * and Finalize will mark it done.
 */
export async function reopenRun(runId: string, deps: StagedDeps): Promise<boolean> {
  const store = storeOfRun(deps, runId);
  const record = await readRunRecord(store);
  if (!record || record.status === 'running' || record.status === 'done') return false;
  record.status = 'running';
  record.error = null;
  record.finishedAt = null;
  await writeRunRecord(store, record);
  await deps.runIndex?.putRun(record);
  return true;
}
