import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { isRetryable } from '../lib/util/retry.js';
import { TRANSIENT_ERROR } from './contract.js';
import { getDeps, type LambdaDeps } from './deps.js';
import {
  flushMetrics,
  inStepSegment,
  logger,
  type Measurements,
  recordMeasurements,
  startInvocation,
  tagRun,
} from './telemetry.js';

export { logger };

/** A failure worth another attempt; the state machine retries this name with backoff. */
export class TransientError extends Error {
  override name = TRANSIENT_ERROR;
}

/** The state machine sent something the step does not take: a stack bug, never retried. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/**
 * Step Functions matches retries on the error's name, so throttling and rate limits (which
 * arrive under many SDK-specific names) are renamed to the one name it retries. Everything
 * else keeps its name (`ConfigError`, `LlmReplyError`, …) and goes to MarkFailed.
 */
export function asStepError(error: unknown): Error {
  if (isRetryable(error)) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new TransientError(message, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

export function parseEvent<T>(stage: string, schema: z.ZodType<T>, event: unknown): T {
  const parsed = schema.safeParse(event);
  if (!parsed.success)
    throw new InvalidEventError(`${stage}: invalid event: ${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function topLevelRunId(input: unknown): string | undefined {
  const runId = (input as { runId?: unknown }).runId;
  return typeof runId === 'string' ? runId : undefined;
}

export type Step<I, O> = (input: I, deps: LambdaDeps) => Promise<O>;

export interface StepOptions<I, O> {
  /**
   * The metrics a successful step emits, from its output (counts only).
   * @default none
   */
  readonly measure?: (output: O, input: I) => Measurements;
  /**
   * The run an event belongs to, for the logs, the trace and the metrics' metadata.
   * @default the event's `runId`, when it has one
   */
  readonly runIdOf?: (input: I) => string | undefined;
  /**
   * Where the deps come from; tests pass their own.
   * @default getDeps (built from the environment, reused by a warm container)
   */
  readonly deps?: () => Promise<LambdaDeps>;
}

/**
 * A Lambda handler for one step of the state machine: parse the event, build (or reuse) the
 * deps, run the step in its own trace subsegment, log its outcome and publish its metrics
 * (also when it fails). Events and outputs carry only keys, counts and ids, so logging them
 * leaks neither summaries nor keys.
 */
export function stepHandler<I, O>(
  stage: string,
  schema: z.ZodType<I>,
  step: Step<I, O>,
  options: StepOptions<I, O> = {},
): (event: unknown, context?: Context) => Promise<O> {
  const deps = options.deps ?? getDeps;
  const runIdOf = options.runIdOf ?? topLevelRunId;
  return async (event, context) => {
    if (context) logger.addContext(context);
    logger.resetKeys();
    logger.appendKeys({ stage });
    startInvocation(stage, context?.functionName);
    try {
      return await inStepSegment(stage, async () => {
        const input = parseEvent(stage, schema, event);
        const runId = runIdOf(input);
        if (runId !== undefined) {
          logger.appendKeys({ runId });
          tagRun(runId);
        }
        const started = performance.now();
        const output = await step(input, await deps());
        logger.info('step finished', { output, ms: Math.round(performance.now() - started) });
        if (options.measure) recordMeasurements(options.measure(output, input));
        return output;
      });
    } catch (error) {
      const failure = asStepError(error);
      logger.error('step failed', failure);
      throw failure;
    } finally {
      flushMetrics();
    }
  };
}
