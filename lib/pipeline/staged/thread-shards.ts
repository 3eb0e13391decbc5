import pLimit from 'p-limit';
import { z } from 'zod';
import { compareStarts, itemKeyOf, type RootRun } from '../../sources/langsmith/index.js';
import type { Store } from '../../store/types.js';

/**
 * What a window's items are known by before they are built: enough to order them as
 * `groupRootRuns` does (by their first run) and to sample them (by id), in a few dozen bytes
 * an item rather than the kilobytes of its runs.
 */
export interface ItemEntry {
  readonly key: string;
  /** The item's id: its thread id, or its run's id. */
  readonly id: string;
  firstMs: number;
  firstRunId: string;
  /** The JSON size of its runs, to size the groups the sampled items are written in. */
  bytes: number;
}

export interface SpilledRuns {
  /** The keys each shard's runs were written under, shard by shard. */
  readonly shards: readonly (readonly string[])[];
  readonly items: readonly ItemEntry[];
}

export interface ThreadShardOptions {
  /** Key prefix in the store, e.g. `items/spill/runs`. */
  readonly prefix: string;
  /**
   * Shards the runs are spread over by their item's key; building the items later holds one
   * shard at a time, so more shards make that peak smaller.
   * @default 32
   */
  readonly shards?: number;
  /** Runs held (as JSON) before they are written out, over all shards. @default 32 MiB */
  readonly flushBytes?: number;
  /** Writes (and reads) in flight at once. @default 8 */
  readonly ioConcurrency?: number;
}

const SHARDS = 32;
const FLUSH_BYTES = 32 * 2 ** 20;
const IO_CONCURRENCY = 8;

/** FNV-1a: cheap, stable across processes, and spreads thread ids evenly enough. */
function shardOf(key: string, shards: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % shards;
}

/** A root run as spilled: JSON, with its start time as an ISO string. */
const spilledRunSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  startTime: z.iso.datetime(),
  inputs: z.unknown(),
  outputs: z.unknown().optional(),
  metadata: z.record(z.string(), z.unknown()),
  threadId: z.string().optional(),
});

const spilledRun = (run: RootRun): string =>
  JSON.stringify({ ...run, startTime: run.startTime.toISOString() });

function revivedRun(line: string): RootRun {
  const raw = spilledRunSchema.parse(JSON.parse(line));
  return {
    id: raw.id,
    name: raw.name,
    startTime: new Date(raw.startTime),
    inputs: raw.inputs,
    outputs: raw.outputs,
    metadata: raw.metadata,
    threadId: raw.threadId,
  };
}

/**
 * Root runs written to a store as they arrive, in shards by the key of the item they belong to,
 * so every run of a thread lands in one shard and a shard can be grouped on its own. Runs are
 * held until `flushBytes` of them are, then written as one part per shard while the next ones
 * gather; callers adding to a full lot wait for the write before it, so memory stays about two
 * lots however fast pages arrive.
 */
export class ThreadShards {
  readonly #store: Store;
  readonly #prefix: string;
  readonly #flushBytes: number;
  readonly #limit: ReturnType<typeof pLimit>;
  readonly #parts: string[][];
  readonly #items = new Map<string, ItemEntry>();
  #lines: string[][];
  #held = 0;
  #generation = 0;
  #writing: Promise<void> = Promise.resolve();

  constructor(store: Store, options: ThreadShardOptions) {
    const shards = options.shards ?? SHARDS;
    if (!Number.isInteger(shards) || shards < 1)
      throw new Error(`ThreadShards: shards must be a positive integer, got ${shards}`);
    this.#store = store;
    this.#prefix = options.prefix.replace(/\/$/, '');
    this.#flushBytes = options.flushBytes ?? FLUSH_BYTES;
    this.#limit = pLimit(options.ioConcurrency ?? IO_CONCURRENCY);
    this.#parts = Array.from({ length: shards }, () => []);
    this.#lines = this.#parts.map(() => []);
  }

  /** Takes a run (each run once); resolves when it may be followed by more. */
  async add(run: RootRun): Promise<void> {
    const key = itemKeyOf(run);
    const line = spilledRun(run);
    this.#note(key, run, line.length);
    this.#lines[shardOf(key, this.#lines.length)]?.push(line);
    this.#held += line.length;
    if (this.#held < this.#flushBytes) return;
    // One lot is written while the next gathers; a full lot waits for the write before it.
    await this.#writing;
    if (this.#held >= this.#flushBytes) this.#flush();
  }

  /** Writes what is still held; the runs' shards and their items' index. */
  async finish(): Promise<SpilledRuns> {
    this.#flush();
    await this.#writing;
    return { shards: this.#parts, items: [...this.#items.values()] };
  }

  #note(key: string, run: RootRun, bytes: number): void {
    const ms = run.startTime.getTime();
    const entry = this.#items.get(key);
    if (!entry) {
      const id = run.threadId ?? run.id;
      this.#items.set(key, { key, id, firstMs: ms, firstRunId: run.id, bytes });
      return;
    }
    entry.bytes += bytes;
    if (compareStarts(ms, run.id, entry.firstMs, entry.firstRunId) < 0) {
      entry.firstMs = ms;
      entry.firstRunId = run.id;
    }
  }

  /**
   * Hands the held runs to a write that starts when the previous one is done. A failed write
   * fails every later one, and surfaces at the next `add` that waits or at `finish`.
   */
  #flush(): void {
    const lines = this.#lines;
    const generation = this.#generation++;
    this.#lines = this.#parts.map(() => []);
    this.#held = 0;
    const write = async () => {
      await Promise.all(
        lines.map((shardLines, shard) => {
          if (shardLines.length === 0) return undefined;
          const key = `${this.#prefix}/shard-${pad(shard, 3)}/part-${pad(generation, 5)}.jsonl`;
          this.#parts[shard]?.push(key);
          return this.#limit(() => this.#store.write(key, `${shardLines.join('\n')}\n`));
        }),
      );
    };
    this.#writing = this.#writing.then(write);
    this.#writing.catch(() => {});
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** The runs of one shard, from its parts. */
export async function readShard(
  store: Store,
  keys: readonly string[],
  ioConcurrency = IO_CONCURRENCY,
): Promise<RootRun[]> {
  const limit = pLimit(ioConcurrency);
  const texts = await Promise.all(
    keys.map((key) =>
      limit(async () => {
        const text = await store.read(key);
        if (text === undefined) throw new Error(`missing artifact ${store.location}${key}`);
        return text;
      }),
    ),
  );
  return texts.flatMap((text) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map(revivedRun),
  );
}
