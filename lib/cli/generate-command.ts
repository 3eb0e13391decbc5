import { join, resolve } from 'node:path';
import { z } from 'zod';
import { loadConfig } from '../config/index.js';
import { CachedEmbedder } from '../embed/cached.js';
import { type GenerateResult, generate } from '../pipeline/generate.js';
import { cachedSummary } from '../pipeline/summarize.js';
import type { ProgressReporter } from '../pipeline/types.js';
import { createEmbedder, createLlm } from '../providers.js';
import { FsStore } from '../store/fs-store.js';
import { JsonlCache } from '../store/jsonl-cache.js';

export const CACHE_FILES = {
  summaries: join('cache', 'summaries.jsonl'),
  embeddings: join('cache', 'embeddings.jsonl'),
} as const;

export interface GenerateCommandOptions {
  readonly config: string;
  readonly cwd: string;
  readonly progress: ProgressReporter;
}

/**
 * `open-clio generate`: wires the local runner (files under `save_path`, offline or configured
 * providers) to the pipeline and returns its result; printing is the caller's.
 */
export async function runGenerateCommand(
  options: GenerateCommandOptions,
): Promise<GenerateResult & { location: string }> {
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  const store = new FsStore(resolve(options.cwd, loaded.config.save_path));
  const summaryCache = await JsonlCache.open(store.path(CACHE_FILES.summaries), cachedSummary);
  const embeddingCache = await JsonlCache.open(store.path(CACHE_FILES.embeddings), z.string());
  const embedder = new CachedEmbedder(createEmbedder(loaded.config), embeddingCache);
  const llm = createLlm(loaded.config, embedder);
  try {
    options.progress.info(`LLM: ${llm.id}   embedder: ${embedder.id}   results: ${store.location}`);
    const result = await generate(loaded, {
      llm,
      embedder,
      store,
      summaryCache,
      progress: options.progress,
    });
    return { ...result, location: store.location };
  } finally {
    await Promise.all([summaryCache.close(), embeddingCache.close(), embedder.close()]);
  }
}
