import { randomUUID } from 'node:crypto';
import { mkdir, realpath, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ClioError } from '../util/errors.js';

/**
 * Kernel and device folders: writes there are not files (or hang: writing under /proc can block
 * instead of failing), so they are refused by name before anything touches them.
 */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/** Long enough for a slow network disk, short enough that a hung mount is named, not waited on. */
const PROBE_TIMEOUT_MS = 10_000;

const fail = (path: string, reason: string) =>
  new ClioError(`save_path ${JSON.stringify(path)} ${reason}`);

const specialRoot = (path: string): string | undefined =>
  SPECIAL_ROOTS.find((root) => path === root || path.startsWith(`${root}${sep}`));

/** The path with its nearest existing ancestor's symlinks resolved (a link into /proc is /proc). */
async function realLocation(path: string): Promise<string> {
  let existing = path;
  while (true) {
    try {
      return join(await realpath(existing), path.slice(existing.length));
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return path;
      existing = parent;
    }
  }
}

/** `work` or an error naming `save_path` after `ms`: a hung mount must not hang the run. */
async function within<T>(ms: number, path: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          fail(
            path,
            `did not answer a test write within ${ms / 1000} s; choose a folder on a working disk`,
          ),
        ),
      ms,
    );
    timer.unref();
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const reasonOf = (error: unknown): string => {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === 'EACCES' || code === 'EPERM') return 'is not writable (permission denied)';
  if (code === 'EROFS') return 'is on a read-only file system';
  if (code === 'ENOTDIR') return 'is inside a file, not a folder';
  if (code === 'ENOSPC') return 'is on a full disk';
  return `cannot be written: ${message}`;
};

/**
 * Checks, before a run does any work, that `save_path` can hold its results: not a special
 * system folder, a folder (created if missing) rather than a file, and writable (a probe file
 * written and removed, with a timeout). Throws a ClioError naming `save_path` and the reason.
 */
export async function checkSavePath(
  savePath: string,
  cwd: string,
  options: { readonly timeoutMs?: number } = {},
): Promise<string> {
  const path = resolve(cwd, savePath);
  const special = specialRoot(path) ?? specialRoot(await realLocation(path));
  if (special) {
    throw fail(
      savePath,
      `is inside ${special}, a special system folder that does not hold files; choose an ordinary folder`,
    );
  }
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  await within(timeoutMs, savePath, probe(savePath, path));
  return path;
}

async function probe(savePath: string, path: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info && !info.isDirectory()) {
    throw fail(savePath, 'is a file, not a folder; give a folder (it is created if missing)');
  }
  try {
    await mkdir(path, { recursive: true });
    const file = join(path, `.open-clio-probe-${randomUUID()}`);
    await writeFile(file, '');
    await rm(file, { force: true });
  } catch (error) {
    throw fail(savePath, reasonOf(error));
  }
}
