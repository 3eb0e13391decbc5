import { ClioError } from '../util/errors.js';

/** The named stack cannot be used: it does not exist in the region, or it is not (yet) an OpenCLIO stack. */
export class StackError extends ClioError {
  override name = 'StackError';
  constructor(
    readonly stackName: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What is wrong with a config or its source file for a remote run, found before anything is uploaded. */
export class RemoteConfigError extends ClioError {
  override name = 'RemoteConfigError';
}

/** A remote run that ended without results: failed, timed out, aborted, or never started. */
export class RemoteRunError extends ClioError {
  override name = 'RemoteRunError';
  constructor(
    message: string,
    readonly executionArn: string,
    readonly runId: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
