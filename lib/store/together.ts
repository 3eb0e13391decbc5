import type { Store, StoreEntry } from './types.js';

/**
 * Writes a run's outputs as one where the store can (a folder that the next run overwrites),
 * else one after another: on S3 each run has a prefix of its own, which no later run rewrites.
 */
export async function writeTogether(store: Store, files: readonly StoreEntry[]): Promise<void> {
  if (store.writeAll) return store.writeAll(files);
  for (const [key, body] of files) await store.write(key, body);
}
