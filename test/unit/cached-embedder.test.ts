import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { CachedEmbedder, CHUNK_SIZES, nextChunkSize } from '../../lib/embed/cached.js';
import type { Embedder } from '../../lib/embed/types.js';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

function counting(inner: Embedder, contextual = false) {
  const seen: string[] = [];
  const embedder: Embedder = {
    id: inner.id,
    dimensions: inner.dimensions,
    contextual,
    embed: (texts) => {
      seen.push(...texts);
      return inner.embed(texts);
    },
    close: () => inner.close(),
  };
  return { embedder, seen };
}

it('embeds each distinct text once, across calls and across runs', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'clio-emb-')), 'e.jsonl');
  const first = counting(wordEmbedder);
  const cache = await JsonlCache.open(path, z.string());
  const cached = new CachedEmbedder(first.embedder, cache);
  const a = await cached.embed(['refund please', 'login broken', 'refund please']);
  const b = await cached.embed(['login broken', 'export csv']);
  expect(first.seen).toEqual(['refund please', 'login broken', 'export csv']);
  expect(cached.cacheStats).toEqual({ hits: 1, misses: 4 });
  expect(b[0]).toEqual(a[1]);
  await cache.close();

  const second = counting(wordEmbedder);
  const reopened = new CachedEmbedder(second.embedder, await JsonlCache.open(path, z.string()));
  const c = await reopened.embed(['export csv', 'refund please']);
  expect(second.seen).toEqual([]);
  expect(c[1]).toEqual(a[0]);
});

it('passes batch-fitted embedders through without caching', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'clio-emb-')), 'e.jsonl');
  const inner = counting(wordEmbedder, true);
  const cached = new CachedEmbedder(inner.embedder, await JsonlCache.open(path, z.string()));
  await cached.embed(['a b', 'a b']);
  await cached.embed(['a b']);
  expect(inner.seen).toEqual(['a b', 'a b', 'a b']);
});

it("saves a slow embedder's vectors every few seconds, not after 512 texts", async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'clio-emb-')), 'e.jsonl');
  // 10 ms a text: a 512-text call would keep everything unsaved for 5 s.
  const slow: Embedder = {
    ...wordEmbedder,
    embed: async (texts) => {
      await new Promise((r) => setTimeout(r, texts.length * 10));
      return wordEmbedder.embed(texts);
    },
  };
  const cache = await JsonlCache.open(path, z.string());
  const texts = Array.from({ length: 256 }, (_, i) => `text ${i}`);
  const embedding = new CachedEmbedder(slow, cache).embed(texts);
  await new Promise((r) => setTimeout(r, 1500));
  expect(cache.size).toBeGreaterThanOrEqual(CHUNK_SIZES.min);
  expect(cache.size).toBeLessThan(256);
  await embedding;
  expect(cache.size).toBe(256);
});

it('sizes calls to about two seconds of work, from 64 to 512 texts', () => {
  expect(nextChunkSize(64, 6000)).toBe(64); // a loaded laptop: the smallest
  expect(nextChunkSize(64, 500)).toBe(256); // 128 texts a second
  expect(nextChunkSize(64, 50)).toBe(512); // an API with parallel requests: the largest
  expect(nextChunkSize(100, 1000) % 64).toBe(0); // whole worker batches
});
