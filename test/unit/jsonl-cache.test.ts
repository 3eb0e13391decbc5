import { appendFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { z } from 'zod';
import { JsonlCache } from '../../lib/store/jsonl-cache.js';

const schema = z.object({ summary: z.string() });

it('keeps records across reopen, and skips torn or invalid lines', async () => {
  const path = join(await mkdtemp(join(tmpdir(), 'clio-cache-')), 'cache', 's.jsonl');
  const first = await JsonlCache.open(path, schema);
  await first.set('a', { summary: 'one' });
  await first.set('b', { summary: 'two' });
  await first.close();
  // A record of an older shape and a kill in the middle of a write.
  await appendFile(path, '{"k":"c","v":{"text":"old shape"}}\n{"k":"d","v":{"summ');

  const second = await JsonlCache.open(path, schema);
  expect(second.get('a')).toEqual({ summary: 'one' });
  expect(second.get('c')).toBeUndefined();
  expect(second.get('d')).toBeUndefined();
  expect(second.skipped).toBe(2);
  await second.set('d', { summary: 'redone' });
  await second.close();

  const third = await JsonlCache.open(path, schema);
  expect(third.get('d')).toEqual({ summary: 'redone' });
  expect(third.size).toBe(3);
  await third.close();
  expect((await readFile(path, 'utf8')).split('\n').filter(Boolean)).toHaveLength(5);
});
