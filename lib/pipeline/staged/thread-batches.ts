import pLimit from 'p-limit';
import { z } from 'zod';
import {
  compareStarts,
  forEachRootRun,
  groupKeyedItems,
  type PagingOptions,
  type RootRun,
  type RootRunQuery,
} from '../../sources/langsmith/index.js';
import type { Item, SourceProblem } from '../../sources/types.js';
import type { Store } from '../../store/types.js';
import { sampledPositions } from '../sample.js';
import { itemSchema, RUN_KEYS, writeJson } from './layout.js';
import {
  type ItemEntry,
  readShard,
  type ThreadShardOptions,
  ThreadShards,
} from './thread-shards.js';

/** Tuning for a big tracing window; the defaults suit a Lambda of a few GiB. */
export interface ThreadStagingOptions extends PagingOptions, Omit<ThreadShardOptions, 'prefix'> {
  /**
   * Sampled items (as JSON, estimated) put in order together at once: the peak of the last
   * phase. Whole batches, so a batch is never split between two groups.
   * @default 64 MiB
   */
  readonly groupBytes?: number;
}

/** Where the window's runs and items are staged, under the run's `items/` (intermediate). */
const SPILL = 'items/spill';
const GROUP_BYTES = 64 * 2 ** 20;
/** An item's JSON holds its runs and the latest one again (its inputs and outputs). */
const ITEM_BYTES_PER_RUN_BYTE = 2;

export interface SamplePlan {
  /** Items in the window. */
  readonly loaded: number;
  /** Each sampled item's place in the sample and the group it is written in, by item key. */
  readonly places: ReadonlyMap<string, { readonly position: number; readonly group: number }>;
  readonly groups: number;
}

/**
 * What `sampleItems(groupRootRuns(runs), sample, seed)` would pick, from the items' index alone:
 * items ordered by their first run as `groupRootRuns` orders them, sampled by the shared
 * `sampledPositions`, then cut into groups of whole batches of about `groupBytes`.
 */
export function planSample(
  entries: readonly ItemEntry[],
  options: { sample: number | null; seed: number; batchSize: number; groupBytes?: number },
): SamplePlan {
  const { sample, seed, batchSize } = options;
  const groupBytes = options.groupBytes ?? GROUP_BYTES;
  const ordered = [...entries].sort((a, b) =>
    compareStarts(a.firstMs, a.firstRunId, b.firstMs, b.firstRunId),
  );
  const positions = sampledPositions(
    ordered.map((e) => e.id),
    sample,
    seed,
  );
  const places = new Map<string, { position: number; group: number }>();
  let group = 0;
  let bytes = 0;
  positions.forEach((index, position) => {
    const entry = ordered[index] as ItemEntry;
    if (position > 0 && position % batchSize === 0 && bytes >= groupBytes) {
      group++;
      bytes = 0;
    }
    bytes += entry.bytes * ITEM_BYTES_PER_RUN_BYTE;
    places.set(entry.key, { position, group });
  });
  return { loaded: entries.length, places, groups: positions.length > 0 ? group + 1 : 0 };
}

const placedItemSchema = z.object({ position: z.number().int().nonnegative(), item: itemSchema });

/** A staged line, checked, but kept as read: zod would move `outputs`, and batches should be
 * byte for byte what the in-memory path writes. */
function placedItem(line: string): { position: number; item: Item } {
  const raw: unknown = JSON.parse(line);
  placedItemSchema.parse(raw);
  return raw as { position: number; item: Item };
}

/**
 * Hands every root run of a window to `onRun`, once, in any order and possibly several at a
 * time (awaiting it before the next run of the same stream); the problems met on the way.
 */
export type RunFeed = (onRun: (run: RootRun) => Promise<void>) => Promise<SourceProblem[]>;

/** The runs of a LangSmith window as a feed, paged as `options` say. */
export const langSmithRuns =
  (query: RootRunQuery, options: PagingOptions = {}): RunFeed =>
  (onRun) =>
    forEachRootRun(query, onRun, options);

export interface StagedThreads {
  readonly loaded: number;
  readonly sampled: number;
  readonly problems: SourceProblem[];
  /** Writes the sampled items in batches of `batchSize`, in order; their keys. */
  writeBatches(): Promise<string[]>;
}

/**
 * A tracing window's threads, sampled and written as item batches without ever holding the
 * window: pages (fetched in parallel sub-windows) are spilled to the run's store in shards by
 * thread, so each shard groups into exactly the items `groupRootRuns` makes of the window; the
 * sample is chosen from a small index of the items; then each shard's sampled items are sent
 * to the group of batches they belong in, and each group is put in order and written. The peak
 * is about one shard or one group, not the window. The batches equal those of
 * `sampleItems(groupRootRuns(runs))` cut in `batchSize`.
 */
export async function stageThreads(
  eachRun: RunFeed,
  store: Store,
  options: ThreadStagingOptions & { sample: number | null; seed: number; batchSize: number },
): Promise<StagedThreads> {
  const shards = new ThreadShards(store, { ...options, prefix: `${SPILL}/runs` });
  const problems = await eachRun((run) => shards.add(run));
  const spilled = await shards.finish();
  const plan = planSample(spilled.items, options);
  return {
    loaded: plan.loaded,
    sampled: plan.places.size,
    problems,
    writeBatches: async () => {
      const groups = await sortIntoGroups(store, spilled.shards, plan, options.ioConcurrency);
      const keys = await writeGroups(store, groups, options.batchSize, options.ioConcurrency);
      // Locally the spilled window would stay beside the outputs (about twice its size).
      await store.removeAll?.(SPILL);
      return keys;
    },
  };
}

/** Builds each shard's items and writes the sampled ones to their groups: keys by group. */
async function sortIntoGroups(
  store: Store,
  shards: readonly (readonly string[])[],
  plan: SamplePlan,
  ioConcurrency?: number,
): Promise<string[][]> {
  const fragments: string[][] = Array.from({ length: plan.groups }, () => []);
  let placed = 0;
  for (const [shard, parts] of shards.entries()) {
    if (parts.length === 0) continue;
    const lines: string[][] = fragments.map(() => []);
    for (const { key, item } of groupKeyedItems(await readShard(store, parts, ioConcurrency))) {
      const place = plan.places.get(key);
      if (!place) continue;
      lines[place.group]?.push(JSON.stringify({ position: place.position, item }));
      placed++;
    }
    await Promise.all(
      lines.map(async (groupLines, group) => {
        if (groupLines.length === 0) return;
        const key = `${SPILL}/groups/group-${pad(group, 4)}/shard-${pad(shard, 3)}.jsonl`;
        await store.write(key, `${groupLines.join('\n')}\n`);
        fragments[group]?.push(key);
      }),
    );
  }
  // Each sampled item is built from its own shard exactly once; anything else is a lost part.
  if (placed !== plan.places.size)
    throw new Error(`staged ${placed} of ${plan.places.size} sampled items in ${store.location}`);
  return fragments;
}

/** Puts each group's items in order and writes them as batches; the batch keys in order. */
async function writeGroups(
  store: Store,
  groups: readonly (readonly string[])[],
  batchSize: number,
  ioConcurrency = 8,
): Promise<string[]> {
  const limit = pLimit(ioConcurrency);
  const keys: string[] = [];
  for (const fragments of groups) {
    const texts = await Promise.all(fragments.map((key) => limit(() => store.read(key))));
    const placed = texts
      .flatMap((text, i) => {
        if (text === undefined)
          throw new Error(`missing artifact ${store.location}${fragments[i]}`);
        return text.split('\n').filter((line) => line !== '');
      })
      .map(placedItem)
      .sort((a, b) => a.position - b.position);
    const batches = new Map<number, Item[]>();
    for (const { position, item } of placed) {
      const n = Math.floor(position / batchSize) + 1;
      const batch = batches.get(n);
      if (batch) batch.push(item);
      else batches.set(n, [item]);
    }
    await Promise.all(
      [...batches].map(([n, items]) => limit(() => writeJson(store, RUN_KEYS.itemBatch(n), items))),
    );
    keys.push(...[...batches.keys()].map((n) => RUN_KEYS.itemBatch(n)));
  }
  return keys;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
