import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { config as loadDotenv } from 'dotenv';
import { surviveBrokenPipes } from '../lib/cli/broken-pipe.js';
import { formatComparison, runCompareCommand } from '../lib/cli/compare-command.js';
import {
  formatEvaluateEstimate,
  formatEvaluation,
  runEvaluateCommand,
  runEvaluateEstimate,
} from '../lib/cli/evaluate-command.js';
import { formatExtension, runExtendCommand } from '../lib/cli/extend-command.js';
import {
  formatEstimate,
  runEstimateCommand,
  runGenerateCommand,
} from '../lib/cli/generate-command.js';
import { formatOverview } from '../lib/cli/overview.js';
import { terminalProgress } from '../lib/cli/progress.js';
import {
  formatRemoteResult,
  formatRunRows,
  runRemoteGenerateCommand,
  runRunsCommand,
} from '../lib/cli/remote-command.js';
import { formatTrends, runTrendsCommand } from '../lib/cli/trends-command.js';
import { runVizCommand, vizAfterGenerate } from '../lib/cli/viz-command.js';
import { RunInterruptedError } from '../lib/pipeline/interrupted.js';
import { RUN_STATUSES, type RunRecord } from '../lib/pipeline/run-record.js';
import type { TrendLevel } from '../lib/trends/trends.js';
import { ClioError } from '../lib/util/errors.js';
import { terminalText } from '../lib/util/terminal-text.js';

// Keys may live in a .env file in the working directory; the real environment wins.
loadDotenv({ quiet: true });
surviveBrokenPipes();

/** Thrown by a command to end the process with a code; only this file calls process.exit. */
class ExitError extends Error {
  override name = 'ExitError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** A numeric option's value, or an exit with the reason. */
function numberIn(value: string, option: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    throw new ExitError(2, `${option} expects a number from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

/**
 * Every line this command prints goes through here: results and errors quote data (names, ids,
 * reasons, values), and its control characters must reach the terminal escaped, not obeyed.
 * The escapes are JSON's own, so `--json` output stays the same valid JSON.
 */
const out = (text: string) => process.stdout.write(terminalText(text));
const err = (text: string) => process.stderr.write(terminalText(text));

/** The package's version, read once for `--version`. */
const version = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

const configOption = () =>
  new Option('-c, --config <path>', 'path to the config file').default('./config.json');

const program = new Command()
  .name('open-clio')
  .description('Summarize, embed and cluster a dataset into a named hierarchy of clusters.')
  .version(version, '-V, --version', 'print the version of open-clio')
  // Commander's own messages echo the arguments given ("unknown command '…'"): same boundary.
  .configureOutput({ writeOut: out, writeErr: err })
  .showHelpAfterError();

program
  .command('generate')
  .description(
    'summarize, cluster and write combined.csv, level_{x}_clusters.csv and hierarchy.json',
  )
  .addOption(configOption())
  .option('-q, --quiet', 'print only warnings and the final overview')
  .option('--estimate', 'print the expected tokens and cost per stage, then stop without spending')
  .option('--json', 'print the run record as JSON instead of the overview')
  .option('--no-viz', 'do not serve the explorer afterwards (only a terminal ever waits for it)')
  .option(
    '--remote <stack-name>',
    'run on the deployed AWS stack: upload the config, follow the run, download the outputs to save_path',
  )
  .action(
    async (opts: {
      config: string;
      quiet?: boolean;
      json?: boolean;
      viz: boolean;
      estimate?: boolean;
      remote?: string;
    }) => {
      const progress = terminalProgress({
        quiet: Boolean(opts.quiet || opts.json),
        tty: Boolean(process.stderr.isTTY),
      });
      if (opts.remote !== undefined) {
        if (opts.estimate)
          throw new ExitError(2, '--estimate prices a local run; leave out --remote to use it');
        const result = await runRemoteGenerateCommand({
          config: opts.config,
          cwd: process.cwd(),
          stack: opts.remote,
          progress,
        });
        out(
          opts.json
            ? `${JSON.stringify(result.downloaded.record, null, 2)}\n`
            : `\n${formatRemoteResult(result)}\n`,
        );
        return;
      }
      if (opts.estimate) {
        const estimate = await runEstimateCommand({
          config: opts.config,
          cwd: process.cwd(),
          progress,
        });
        out(`${opts.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate)}\n`);
        return;
      }
      const result = await runGenerateCommand({
        config: opts.config,
        cwd: process.cwd(),
        progress,
      });
      if (opts.json) out(`${JSON.stringify(result.record, null, 2)}\n`);
      else out(`\n${formatOverview(result.doc, result.location, result.files)}\n`);
      await vizAfterGenerate({
        config: opts.config,
        cwd: process.cwd(),
        location: result.location,
        viz: opts.viz && !opts.json,
        open: true,
        write: (line) => err(`${line}\n`),
      });
    },
  );

program
  .command('evaluate')
  .description(
    'score how well the clusters fit the data (offline metrics, and LLM-judge metrics with a ' +
      'generative LLM); writes evaluation.json and evaluation.md',
  )
  .addOption(configOption())
  .option('-q, --quiet', 'print only warnings and the summary')
  .option('--json', 'print the evaluation as JSON')
  .option('--estimate', "print the judge's expected calls, tokens and cost, then stop")
  .option('--no-judge', 'only the offline metrics, even when an LLM is configured')
  .option(
    '--judge-facets',
    "the judge also checks each sampled item's question-facet answers (as eval_facets: true)",
  )
  .option(
    '--write-back',
    "record each item's cluster path on its LangSmith example and the judge's verdicts as an experiment (datasets only)",
  )
  .action(
    async (opts: {
      config: string;
      quiet?: boolean;
      json?: boolean;
      estimate?: boolean;
      judge: boolean;
      judgeFacets?: boolean;
      writeBack?: boolean;
    }) => {
      const progress = terminalProgress({
        quiet: Boolean(opts.quiet || opts.json),
        tty: Boolean(process.stderr.isTTY),
      });
      const common = { config: opts.config, cwd: process.cwd(), progress };
      if (opts.estimate) {
        const estimate = await runEvaluateEstimate({ ...common, judgeFacets: opts.judgeFacets });
        out(
          `${opts.json ? JSON.stringify(estimate, null, 2) : formatEvaluateEstimate(estimate)}\n`,
        );
        return;
      }
      const result = await runEvaluateCommand({
        ...common,
        judge: opts.judge,
        judgeFacets: opts.judgeFacets,
        writeBack: Boolean(opts.writeBack),
      });
      if (opts.json) out(`${JSON.stringify(result.evaluation, null, 2)}\n`);
      else out(`${formatEvaluation(result.evaluation, result.location, result.files)}\n`);
    },
  );

program
  .command('extend')
  .description(
    'place the items the source yields that the run lacks into its hierarchy, without rebuilding it',
  )
  .addOption(configOption())
  .option('-q, --quiet', 'print only warnings and the report')
  .option('--json', "print the history entry and every item's outcome as JSON")
  .option(
    '--fence <k>',
    "new items less similar to their nearest cluster than Q1 − k × IQR of its members' similarities fit poorly and stay out",
    (value) => numberIn(value, '--fence', 0, 10),
    1.5,
  )
  .option(
    '--candidates <n>',
    'nearest clusters a configured model chooses among',
    (value) => numberIn(value, '--candidates', 1, 10),
    3,
  )
  .action(
    async (opts: {
      config: string;
      quiet?: boolean;
      json?: boolean;
      fence: number;
      candidates: number;
    }) => {
      const progress = terminalProgress({
        quiet: Boolean(opts.quiet || opts.json),
        tty: Boolean(process.stderr.isTTY),
      });
      const result = await runExtendCommand({
        config: opts.config,
        cwd: process.cwd(),
        progress,
        fence: opts.fence,
        candidates: Math.round(opts.candidates),
      });
      if (opts.json) {
        const { extension, placements, files, warnings } = result;
        out(`${JSON.stringify({ extension, placements, files, warnings }, null, 2)}\n`);
      } else out(`${formatExtension(result)}\n`);
    },
  );

/** Shared by `compare` and `trends`, which flag growing and shrinking clusters by one rule. */
const minPointsOption = () =>
  new Option(
    '--min-points <pp>',
    "least change of a cluster's share, in percentage points, that counts as growing or shrinking",
  ).argParser((value) => numberIn(value, '--min-points', 0, 100));
const minRatioOption = () =>
  new Option(
    '--min-ratio <x>',
    'least relative change of share that counts (1.25: a quarter more or a fifth less)',
  ).argParser((value) => numberIn(value, '--min-ratio', 1, 1000));

program
  .command('compare')
  .description(
    'show new, vanished, growing and shrinking clusters from run A to run B, level by level',
  )
  .argument(
    '[runA]',
    "the earlier run: a run folder or its hierarchy.json (default: the config's previous run)",
  )
  .argument('[runB]', "the later run (default: the config's run)")
  .addOption(configOption())
  .option('--json', 'print the comparison as JSON')
  .option('--all', 'list unchanged clusters too')
  .addOption(minPointsOption())
  .addOption(minRatioOption())
  .action(
    async (
      runA: string | undefined,
      runB: string | undefined,
      opts: {
        config: string;
        json?: boolean;
        all?: boolean;
        minPoints?: number;
        minRatio?: number;
      },
    ) => {
      const comparison = await runCompareCommand({
        runs: [runA, runB].filter((r): r is string => r !== undefined),
        config: opts.config,
        cwd: process.cwd(),
        warn: (message) => process.stderr.write(`warning: ${message}\n`),
        ...(opts.minPoints === undefined ? {} : { minPoints: opts.minPoints }),
        ...(opts.minRatio === undefined ? {} : { minRatio: opts.minRatio }),
      });
      out(
        `${opts.json ? JSON.stringify(comparison, null, 2) : formatComparison(comparison, { all: Boolean(opts.all) })}\n`,
      );
    },
  );

program
  .command('trends')
  .description(
    "each cluster's share of every kept run of the config (history), flagging new, growing and shrinking ones",
  )
  .addOption(configOption())
  .option('--json', 'print the trends as JSON')
  .option(
    '--level <level>',
    '"top" (default), "base", or a level number (0 = base)',
    (value): TrendLevel => {
      if (value === 'top' || value === 'base') return value;
      if (/^\d+$/.test(value)) return Number(value);
      throw new ExitError(2, `--level expects top, base or a level number, got "${value}"`);
    },
  )
  .addOption(minPointsOption())
  .addOption(minRatioOption())
  .action(
    async (opts: {
      config: string;
      json?: boolean;
      level?: TrendLevel;
      minPoints?: number;
      minRatio?: number;
    }) => {
      const trends = await runTrendsCommand({
        config: opts.config,
        cwd: process.cwd(),
        warn: (message) => process.stderr.write(`warning: ${message}\n`),
        ...(opts.level === undefined ? {} : { level: opts.level }),
        ...(opts.minPoints === undefined ? {} : { minPoints: opts.minPoints }),
        ...(opts.minRatio === undefined ? {} : { minRatio: opts.minRatio }),
      });
      out(`${opts.json ? JSON.stringify(trends, null, 2) : formatTrends(trends)}\n`);
    },
  );

program
  .command('runs')
  .description('list the recent runs of a deployed AWS stack, newest first')
  .requiredOption('--remote <stack-name>', 'the stack (its CloudFormation name)')
  .option(
    '--limit <n>',
    'runs to list',
    (value) => Math.round(numberIn(value, '--limit', 1, 1000)),
    20,
  )
  .addOption(new Option('--status <status>', 'only runs with this status').choices(RUN_STATUSES))
  .option('--json', 'print the runs as JSON')
  .action(
    async (opts: {
      remote: string;
      limit: number;
      status?: RunRecord['status'];
      json?: boolean;
    }) => {
      const rows = await runRunsCommand({
        stack: opts.remote,
        limit: opts.limit,
        ...(opts.status ? { status: opts.status } : {}),
      });
      out(`${opts.json ? JSON.stringify(rows, null, 2) : formatRunRows(rows, opts.remote)}\n`);
    },
  );

program
  .command('viz')
  .description('serve the web explorer on a run (or a folder of runs) until Ctrl-C')
  .argument(
    '[path]',
    "a run folder, a folder of runs or a runs index (default: the config's save_path)",
  )
  .addOption(configOption())
  .option('--port <number>', 'port on localhost (default: a free one)', (value) => {
    const port = Number(value);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      throw new ExitError(2, `--port expects a number from 0 to 65535, got "${value}"`);
    }
    return port;
  })
  .option('--no-open', 'only print the URL (a browser never opens in CI or without a display)')
  .action(
    async (path: string | undefined, opts: { config: string; port?: number; open: boolean }) => {
      await runVizCommand({
        ...(path === undefined ? {} : { path }),
        config: opts.config,
        cwd: process.cwd(),
        ...(opts.port === undefined ? {} : { port: opts.port }),
        open: opts.open,
        write: (line) => out(`${line}\n`),
      });
    },
  );

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const code =
    error instanceof ExitError
      ? error.code
      : error instanceof RunInterruptedError
        ? error.exitCode
        : 1;
  const known =
    error instanceof ExitError ||
    error instanceof ClioError ||
    (error as Error)?.name?.endsWith('Error');
  const message = error instanceof Error ? error.message : String(error);
  err(`open-clio: ${known ? message : String(error)}\n`);
  if (process.env.OPEN_CLIO_DEBUG && error instanceof Error) err(`${error.stack}\n`);
  process.exit(code);
}
