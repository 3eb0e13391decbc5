/** Base of every error OpenCLIO raises on purpose; the CLI prints `message` as its one-line reason. */
export class ClioError extends Error {
  override name = 'ClioError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
