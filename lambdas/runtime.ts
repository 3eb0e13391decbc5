import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import { isRetryable } from '../lib/util/retry.js';
import { TRANSIENT_ERROR } from './contract.js';
import { getDeps, type LambdaDeps } from './deps.js';

/** Structured JSON logs; the level comes from the function's log configuration. */
export const logger = new Logger({ serviceName: 'open-clio' });

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

export type Step<I, O> = (input: I, deps: LambdaDeps) => Promise<O>;

/**
 * A Lambda handler for one step of the state machine: parse the event, build (or reuse) the
 * deps, run the step, log its outcome. Events and outputs carry only keys, counts and ids, so
 * logging them leaks neither summaries nor keys.
 */
export function stepHandler<I, O>(
  stage: string,
  schema: z.ZodType<I>,
  step: Step<I, O>,
  deps: () => Promise<LambdaDeps> = getDeps,
): (event: unknown, context?: Context) => Promise<O> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    logger.resetKeys();
    logger.appendKeys({ stage });
    try {
      const input = parseEvent(stage, schema, event);
      const runId = (input as { runId?: unknown }).runId;
      if (typeof runId === 'string') logger.appendKeys({ runId });
      const started = performance.now();
      const output = await step(input, await deps());
      logger.info('step finished', { output, ms: Math.round(performance.now() - started) });
      return output;
    } catch (error) {
      const failure = asStepError(error);
      logger.error('step failed', failure);
      throw failure;
    }
  };
}
