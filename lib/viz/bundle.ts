import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ClioError } from '../util/errors.js';

export const VIEWER_DIR = resolve(import.meta.dirname, '../../viewer');
export const VIEWER_DIST = join(VIEWER_DIR, 'dist');
export const BUILD_COMMAND = 'npm run build:viewer';

/**
 * The built explorer's folder. A checkout has no `viewer/dist` until it is built, so build it
 * once with Vite when Vite is installed (a development install); otherwise say how.
 */
export async function ensureViewerBundle(log: (line: string) => void): Promise<string> {
  const built = await stat(join(VIEWER_DIST, 'index.html')).catch(() => undefined);
  if (built) return VIEWER_DIST;
  log('building the explorer once (viewer/dist)…');
  return buildViewer();
}

/** Builds the explorer with Vite into `outDir` (by default `viewer/dist`). */
export async function buildViewer(outDir = VIEWER_DIST): Promise<string> {
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new ClioError(
      `the explorer is not built (${VIEWER_DIST} is missing) and Vite is not installed to build it: run "npm ci && ${BUILD_COMMAND}" in ${resolve(VIEWER_DIR, '..')}`,
    );
  }
  await vite.build({
    configFile: join(VIEWER_DIR, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

/** Whether a browser can be shown: never in CI, on Linux only with a display. */
export function canOpenBrowser(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): boolean {
  if (env.CI && env.CI !== 'false') return false;
  if (platform === 'darwin' || platform === 'win32') return true;
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Best effort: a missing opener only means the user clicks the printed URL. */
export function openBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}
