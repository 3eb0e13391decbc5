import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const CLI = resolve(import.meta.dirname, '../../bin/open-clio.mjs');

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a user with no keys at all (as CI has), plus what a test sets. */
export function keylessEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keyless = Object.entries(process.env).filter(
    ([k]) => !/^(LANGSMITH|LANGCHAIN|ANTHROPIC|OPENAI|VOYAGE|AWS)_/.test(k),
  );
  return { ...Object.fromEntries(keyless), CI: 'true', ...extra };
}

/** Starts `open-clio` as a user would, capturing its output; `done` settles when it exits. */
export const startCli = (args: readonly string[], cwd: string, env: Record<string, string> = {}) =>
  startNode([CLI, ...args], cwd, env);

/** Runs a TypeScript script of the repository (an npm script's target) as `npm run` would. */
export const runScript = (
  script: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
) =>
  // tsx resolved from here: `--import tsx` alone would be looked up from the test's cwd.
  startNode(
    [
      '--import',
      import.meta.resolve('tsx'),
      resolve(import.meta.dirname, '../..', script),
      ...args,
    ],
    cwd,
    env,
  ).done;

export interface StartedCli {
  readonly child: ChildProcess;
  readonly done: Promise<CliRun>;
  /** What it has printed so far. */
  readonly output: () => { readonly stdout: string; readonly stderr: string };
  /** Set once it has exited. */
  readonly exited: () => boolean;
}

function startNode(args: readonly string[], cwd: string, env: Record<string, string>): StartedCli {
  const child = spawn(process.execPath, args, { cwd, env: keylessEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  let exited = false;
  const done = new Promise<CliRun>((ok) =>
    child.on('close', (code) => {
      exited = true;
      ok({ code, stdout, stderr });
    }),
  );
  return { child, done, output: () => ({ stdout, stderr }), exited: () => exited };
}

/**
 * Waits until the CLI's stderr matches `pattern` (e.g. a stage's first progress line), then
 * `delayMs` more; fails if it exits first, so a test never signals a process that is gone.
 */
export async function untilStderr(
  started: StartedCli,
  pattern: RegExp,
  delayMs = 0,
  timeoutMs = 120_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(started.output().stderr)) {
    if (started.exited()) throw new Error(`exited before ${pattern}: ${started.output().stderr}`);
    if (Date.now() > deadline) throw new Error(`no ${pattern} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, delayMs));
  if (started.exited()) throw new Error(`exited during the wait: ${started.output().stderr}`);
}

export const runCli = (args: readonly string[], cwd: string, env: Record<string, string> = {}) =>
  startCli(args, cwd, env).done;
