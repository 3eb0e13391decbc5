import type { z } from 'zod';
import type { RecordCache, Store } from './types.js';

/**
 * A record cache kept as one JSON object in a store (an S3 object on AWS, where nothing can be
 * appended): loaded once, rewritten every `flushEvery` new records and on close, so a Lambda
 * retried after a timeout resumes from the last flush. Records are re-validated on load.
 */
export class StoreRecordCache<T> implements RecordCache<T> {
  readonly #records = new Map<string, T>();
  #unsaved = 0;
  #flushing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    private readonly key: string,
    private readonly flushEvery: number,
  ) {}

  static async open<T>(
    store: Store,
    key: string,
    schema: z.ZodType<T>,
    flushEvery = 25,
  ): Promise<StoreRecordCache<T>> {
    const cache = new StoreRecordCache<T>(store, key, flushEvery);
    const text = await store.read(key);
    if (text !== undefined) {
      for (const [k, v] of Object.entries(JSON.parse(text) as Record<string, unknown>)) {
        const parsed = schema.safeParse(v);
        if (parsed.success) cache.#records.set(k, parsed.data);
      }
    }
    return cache;
  }

  get size(): number {
    return this.#records.size;
  }

  get(key: string): T | undefined {
    return this.#records.get(key);
  }

  async set(key: string, value: T): Promise<void> {
    this.#records.set(key, value);
    if (++this.#unsaved >= this.flushEvery) await this.flush();
  }

  /** Writes the whole map; concurrent callers share one write at a time. */
  flush(): Promise<void> {
    this.#unsaved = 0;
    const body = JSON.stringify(Object.fromEntries(this.#records));
    this.#flushing = this.#flushing.then(() => this.store.write(this.key, body));
    return this.#flushing;
  }

  close(): Promise<void> {
    return this.flush();
  }
}
