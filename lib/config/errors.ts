import { ClioError } from '../util/errors.js';

/**
 * A config file that was read but is not valid. Every problem found is listed, so one run of the
 * CLI is enough to fix them all.
 */
export class ConfigError extends ClioError {
  override name = 'ConfigError';
  readonly problems: string[];
  readonly file: string;

  constructor(file: string, problems: string[], options?: { cause?: unknown }) {
    super(`Invalid config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, options);
    this.file = file;
    this.problems = problems;
  }
}

/** The config file could not be read at all (missing, a directory, no permission). */
export class ConfigFileError extends ClioError {
  override name = 'ConfigFileError';
  readonly file: string;
  /** The Node error code when there is one, e.g. `ENOENT`. */
  readonly code: string | undefined;

  constructor(file: string, message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.file = file;
    this.code = options?.code;
  }
}
