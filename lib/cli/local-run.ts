import { join } from 'node:path';
import { z } from 'zod';
import { type LoadedConfig, loadConfig } from '../config/index.js';
import { CachedEmbedder } from '../embed/cached.js';
import type { Embedder } from '../embed/types.js';
import type { ClaudeBatches } from '../llm/batch.js';
import type { Llm } from '../llm/types.js';
import { type CachedSummary, cachedSummary } from '../pipeline/summarize.js';
import { createEmbedder, createLlm, createSummaryBatches } from '../providers.js';
import { FsStore } from '../store/fs-store.js';
import { JsonlCache } from '../store/jsonl-cache.js';
import { checkSavePath } from '../store/save-path.js';

export const CACHE_FILES = {
  summaries: join('cache', 'summaries.jsonl'),
  embeddings: join('cache', 'embeddings.jsonl'),
} as const;

/** Everything a local command needs for one config: its run folder, caches and providers. */
export interface LocalRun {
  readonly loaded: LoadedConfig;
  readonly store: FsStore;
  readonly summaryCache: JsonlCache<CachedSummary>;
  readonly embedder: Embedder;
  readonly llm: Llm;
  readonly summaryBatches: ClaudeBatches | undefined;
  close(): Promise<void>;
}

/**
 * The local runner's wiring: files under `save_path`, JSONL caches, and the configured (or
 * offline) providers, the embedder wrapped in the shared embedding cache.
 */
export async function openLocalRun(configPath: string, cwd: string): Promise<LocalRun> {
  const loaded = await loadConfig(configPath, { cwd });
  // Before any work: a save_path that cannot hold the results is named with the reason.
  const store = new FsStore(await checkSavePath(loaded.config.save_path, cwd));
  // Outputs a killed run had committed but not all moved into place are moved now.
  await store.settle();
  const summaryCache = await JsonlCache.open(store.path(CACHE_FILES.summaries), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path(CACHE_FILES.embeddings), z.string());
  const embedder = new CachedEmbedder(createEmbedder(loaded.config), embeddingCache);
  const llm = createLlm(loaded.config, embedder);
  const summaryBatches = createSummaryBatches(loaded.config, llm);
  return {
    loaded,
    store,
    summaryCache,
    embedder,
    llm,
    summaryBatches,
    async close() {
      await Promise.all([summaryCache.close(), embeddingCache.close(), embedder.close()]);
    },
  };
}
