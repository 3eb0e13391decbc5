import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './bundle/bundling.js';
import type { DeployConfig } from './config.js';

/**
 * The explorer's static bundle (`npm run build:viewer`, i.e. `vite build viewer`). `cdk synth`
 * and `cdk deploy` build it when it is missing or older than its sources, so a deployment
 * never ships an empty or outdated explorer, and fail saying why when it cannot be built.
 */

const distOf = (root: string) => join(root, 'viewer', 'dist');

/** Where the repository's viewer is built to. */
export const DEFAULT_VIEWER_DIST = distOf(PROJECT_ROOT);

/** What the bundle is built from: `viewer/` (but its output) and the explorer format it reads. */
const SOURCES = ['viewer', join('lib', 'viz')];
const NOT_SOURCES = new Set(['dist', 'node_modules']);

/** The newest file under `path`. Files only: building changes `viewer/`'s own time. */
function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path))
    if (!NOT_SOURCES.has(entry)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

export type ViewerBuildState = 'missing' | 'stale' | 'fresh';

export function viewerBuildState(root = PROJECT_ROOT): ViewerBuildState {
  const index = join(distOf(root), 'index.html');
  if (!existsSync(index)) return 'missing';
  const built = statSync(index).mtimeMs;
  return SOURCES.some((source) => newestChange(join(root, source)) > built) ? 'stale' : 'fresh';
}

export class ViewerBuildError extends Error {
  override name = 'ViewerBuildError';
}

export interface EnsureViewerOptions {
  /** @default the repository */
  readonly root?: string;
  /** Builds the viewer in `root`; throws when it cannot. @default npm run build:viewer */
  readonly build?: (root: string) => void;
  /** Progress, on stderr: stdout is the CDK CLI's. */
  readonly log?: (message: string) => void;
}

function npmBuild(root: string): void {
  // Vite's output goes to stderr with the log, and stays visible when the build fails.
  execFileSync('npm', ['run', '--silent', 'build:viewer'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
    shell: process.platform === 'win32',
  });
}

/** Builds the viewer when it is missing or stale; returns the directory to deploy. */
export function ensureViewerBuilt(options: EnsureViewerOptions = {}): string {
  const root = options.root ?? PROJECT_ROOT;
  const dist = distOf(root);
  const state = viewerBuildState(root);
  if (state === 'fresh') return dist;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  log(
    `explorer: the viewer build is ${state === 'missing' ? 'missing' : 'older than its sources'}; running npm run build:viewer`,
  );
  try {
    (options.build ?? npmBuild)(root);
  } catch (error) {
    throw new ViewerBuildError(
      `the explorer's viewer could not be built (npm run build:viewer in ${root}: ${(error as Error).message.split('\n')[0]}). Install the dev dependencies (npm ci) and fix the build, set "explorer.viewerDist" in the deploy config to a built copy, or set "explorer": false`,
      { cause: error },
    );
  }
  if (!existsSync(join(dist, 'index.html')))
    throw new ViewerBuildError(
      `npm run build:viewer finished but ${dist} has no index.html; check viewer/vite.config.ts (build.outDir)`,
    );
  return dist;
}

/**
 * The deploy config with the explorer pointed at a fresh build of the repository's viewer,
 * unless it names its own `explorer.viewerDist` (then used as is) or has no explorer.
 */
export function withBuiltViewer(
  config: DeployConfig,
  ensure: () => string = ensureViewerBuilt,
): DeployConfig {
  if (config.explorer === false || config.explorer.viewerDist !== undefined) return config;
  return { ...config, explorer: { ...config.explorer, viewerDist: ensure() } };
}
