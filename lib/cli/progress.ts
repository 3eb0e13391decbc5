import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../pipeline/types.js';
import { oneLine } from '../util/terminal-text.js';

type Write = (line: string) => void;

/**
 * A bar per stage on a terminal; on a pipe (CI, logs) one line per stage start and end. Every
 * line is one line: messages quote data (ids, rows, names), whose control characters are
 * escaped here rather than reaching the terminal.
 */
export function terminalProgress(options: {
  quiet: boolean;
  tty: boolean;
  write?: Write;
}): ProgressReporter {
  const raw = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const write = (line: string) => raw(oneLine(line));
  if (options.quiet) {
    return { start() {}, tick() {}, finish() {}, info() {}, warn: (m) => write(`warning: ${m}`) };
  }
  let bar: cliProgress.SingleBar | undefined;
  let stage = '';
  let total = 0;
  let startedAt = 0;
  return {
    start(name, count) {
      stage = name;
      total = count ?? 0;
      startedAt = performance.now();
      if (count === undefined) {
        // An internal step (k-means, grouping) has no parts worth counting: no "1 to do".
        write(`${name}: started`);
      } else if (options.tty && count > 1) {
        bar = new cliProgress.SingleBar(
          {
            format: `${oneLine(name).padEnd(16)} {bar} {value}/{total} {percentage}% | {duration_formatted}`,
            hideCursor: true,
            stream: process.stderr,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(count, 0);
      } else write(`${name}: ${count} to do`);
    },
    tick(done) {
      bar?.update(Math.min(done, total));
    },
    finish() {
      if (bar) {
        bar.update(total);
        bar.stop();
        bar = undefined;
      } else write(`${stage}: done in ${((performance.now() - startedAt) / 1000).toFixed(1)} s`);
    },
    info: (message) => write(message),
    warn: (message) => write(`warning: ${message}`),
  };
}
