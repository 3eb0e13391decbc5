import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ReadOptions, Store } from './types.js';

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
    const target = this.path(key);
    await mkdir(dirname(target), { recursive: true });
    const temp = `${target}.${randomUUID()}.tmp`;
    await writeFile(temp, body);
    await rename(temp, target);
  }
}
