/**
 * `open-clio generate … | head -1`: once the reader has gone, every write to its pipe fails
 * with EPIPE, which Node raises as an 'error' event on the stream, and an unhandled one ends the
 * process, mid-run, outputs unwritten. Output nobody reads is no reason to stop paying for and
 * finishing the work, so the error ends that stream only: Node destroys it, and later writes to
 * it are dropped without another event.
 */
export function surviveBrokenPipes(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
): void {
  for (const stream of streams) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
      // Any other error on our own output is as fatal as it was without this listener.
      throw error;
    });
  }
}
