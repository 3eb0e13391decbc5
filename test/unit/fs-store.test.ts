import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FsStore } from '../../lib/store/fs-store.js';
import { withPrefix } from '../../lib/store/prefixed.js';

describe('FsStore', () => {
  it('removes a scratch folder, through a prefixed view too, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'clio-fs-store-'));
    const store = new FsStore(dir);
    const run = withPrefix(store, 'runs/r1');
    await run.write('items/spill/runs/shard-000.jsonl', '{}');
    await run.write('items/batch-00001.json', '[]');
    await run.removeAll?.('items/spill');
    expect(await readdir(join(dir, 'runs', 'r1', 'items'))).toEqual(['batch-00001.json']);
    await run.removeAll?.('items/spill'); // already gone: nothing to do
  });

  it('refuses to remove the whole store or anything outside it', async () => {
    const store = new FsStore(await mkdtemp(join(tmpdir(), 'clio-fs-store-')));
    for (const prefix of ['', '/', '/etc', '../x', 'a/../../b'])
      await expect(store.removeAll(prefix), prefix).rejects.toThrow(/will not remove/);
  });

  it('keeps no versions, and says so rather than read the latest', async () => {
    const store = new FsStore(await mkdtemp(join(tmpdir(), 'clio-fs-store-')));
    await store.write('configs/a.json', '{}');
    await expect(store.read('configs/a.json', { version: 'v1' })).rejects.toThrow(
      /keeps no versions/,
    );
  });
});
