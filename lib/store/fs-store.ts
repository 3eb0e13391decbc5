import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ReadOptions, Store, StoreEntry } from './types.js';

/**
 * Where `writeAll` stages a set of files before moving them into place, and the list whose
 * presence commits the set: a set with its list is finished by whoever finds it, one without
 * is dropped by the next writer (see `settle`).
 */
export const STAGING_DIR = '.staging';
const COMMITTED = '.committed.json';

/** Artifacts as files under one folder; writes go to a temp file first and are renamed. */
export class FsStore implements Store {
  readonly location: string;

  constructor(root: string) {
    this.location = resolve(root);
  }

  path(key: string): string {
    return join(this.location, key);
  }

  async read(key: string, options?: ReadOptions): Promise<string | undefined> {
    // Files have no versions: reading the latest instead would be reading something else.
    if (options?.version)
      throw new Error(
        `${this.path(key)}: a folder store keeps no versions (asked for ${options.version})`,
      );
    try {
      return await readFile(this.path(key), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async removeAll(prefix: string): Promise<void> {
    // Never the whole store, nor anything outside it.
    const parts = prefix.split('/').filter(Boolean);
    if (parts.length === 0 || prefix.startsWith('/') || parts.includes('..'))
      throw new Error(
        `${this.location}: will not remove "${prefix}" (a relative folder inside the store)`,
      );
    await rm(this.path(parts.join('/')), { recursive: true, force: true });
  }

  async readBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(this.path(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    await writeReplacing(this.path(key), body);
  }

  /**
   * All files are written under `.staging/` first, then the list of them, then each is renamed
   * into place: a kill before the list leaves the old files untouched, a kill after it leaves a
   * set that `settle` completes. Either way no reader pairs one run's CSVs with another's
   * hierarchy.
   */
  async writeAll(files: readonly StoreEntry[]): Promise<void> {
    await this.settle({ dropUnfinished: true });
    const staging = this.path(STAGING_DIR);
    for (const [key, body] of files) await writeReplacing(join(staging, key), body);
    await writeReplacing(join(staging, COMMITTED), JSON.stringify(files.map(([key]) => key)));
    await this.settle({ dropUnfinished: true });
  }

  /**
   * Finishes moving a committed set that a killed writer left staged. A set that was never
   * committed is dropped only by a writer (`dropUnfinished`): a reader could be looking at one
   * that another process is still writing.
   */
  async settle(options: { readonly dropUnfinished?: boolean } = {}): Promise<void> {
    const staging = this.path(STAGING_DIR);
    const list = await readFile(join(staging, COMMITTED), 'utf8').catch(() => undefined);
    if (list === undefined && !options.dropUnfinished) return;
    for (const key of list === undefined ? [] : (JSON.parse(list) as string[])) {
      await mkdir(dirname(this.path(key)), { recursive: true });
      await rename(join(staging, key), this.path(key)).catch((error: NodeJS.ErrnoException) => {
        // Moved already, by the writer before it was killed or by another reader.
        if (error.code !== 'ENOENT') throw error;
      });
    }
    await rm(staging, { recursive: true, force: true });
  }
}

async function writeReplacing(target: string, body: string | Uint8Array): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const temp = `${target}.${randomUUID()}.tmp`;
  await writeFile(temp, body);
  await rename(temp, target);
}
