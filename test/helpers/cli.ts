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

function startNode(
  args: readonly string[],
  cwd: string,
  env: Record<string, string>,
): { child: ChildProcess; done: Promise<CliRun> } {
  const child = spawn(process.execPath, args, { cwd, env: keylessEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => {
    stdout += d;
  });
  child.stderr?.on('data', (d) => {
    stderr += d;
  });
  const done = new Promise<CliRun>((ok) =>
    child.on('close', (code) => ok({ code, stdout, stderr })),
  );
  return { child, done };
}

export const runCli = (args: readonly string[], cwd: string, env: Record<string, string> = {}) =>
  startCli(args, cwd, env).done;
