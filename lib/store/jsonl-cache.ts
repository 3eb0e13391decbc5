import { createReadStream } from 'node:fs';
import { type FileHandle, mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import type { RecordCache } from './types.js';

/**
 * A record cache kept as an append-only JSON Lines file: one `{"k": key, "v": value}` per line.
 * Appends of whole lines survive a kill; a torn last line or a record that fails its schema is
 * skipped on load, so that entry is simply computed again.
 */
export class JsonlCache<T> implements RecordCache<T> {
  readonly #records = new Map<string, T>();
  #file: FileHandle | undefined;
  /** Appends not yet on disk: `close` waits for them, so an interrupted run keeps them. */
  readonly #pending = new Set<Promise<void>>();
  #skipped = 0;

  private constructor(
    readonly path: string,
    readonly schema: z.ZodType<T>,
  ) {}

  static async open<T>(path: string, schema: z.ZodType<T>): Promise<JsonlCache<T>> {
    const cache = new JsonlCache(path, schema);
    await cache.#load();
    await mkdir(dirname(path), { recursive: true });
    cache.#file = await open(path, 'a+');
    await cache.#endWithNewline();
    return cache;
  }

  get size(): number {
    return this.#records.size;
  }

  /** Lines that could not be used on load (torn or stale); those entries get recomputed. */
  get skipped(): number {
    return this.#skipped;
  }

  get(key: string): T | undefined {
    return this.#records.get(key);
  }

  async set(key: string, value: T): Promise<void> {
    this.#records.set(key, value);
    if (!this.#file) throw new Error(`cache ${this.path} is closed`);
    const append = this.#file.appendFile(`${JSON.stringify({ k: key, v: value })}\n`);
    this.#pending.add(append);
    try {
      await append;
    } finally {
      this.#pending.delete(append);
    }
  }

  /** Waits for the appends in flight, then closes; later `set`s are refused. */
  async close(): Promise<void> {
    const file = this.#file;
    this.#file = undefined;
    await Promise.allSettled(this.#pending);
    await file?.close();
  }

  /** After a kill mid-append, start the next record on a fresh line rather than glue onto the torn one. */
  async #endWithNewline(): Promise<void> {
    const file = this.#file;
    if (!file) return;
    const { size } = await file.stat();
    if (size === 0) return;
    const last = Buffer.alloc(1);
    await file.read(last, 0, 1, size - 1);
    if (last[0] !== 0x0a) await file.appendFile('\n');
  }

  async #load(): Promise<void> {
    let stream: ReturnType<typeof createReadStream>;
    try {
      stream = createReadStream(this.path, 'utf8');
      await new Promise<void>((ok, fail) => {
        stream.once('open', () => ok());
        stream.once('error', fail);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for await (const line of createInterface({
      input: stream,
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (!line) continue;
      try {
        const { k, v } = JSON.parse(line) as { k: unknown; v: unknown };
        const parsed = this.schema.safeParse(v);
        if (typeof k === 'string' && parsed.success) this.#records.set(k, parsed.data);
        else this.#skipped++;
      } catch {
        this.#skipped++;
      }
    }
  }
}
