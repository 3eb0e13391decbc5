import { mkdir, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { catchInterrupts } from '../../lib/cli/interrupt.js';
import { unfinishedAttemptNote } from '../../lib/pipeline/latest-attempt.js';
import { newRunRecord, writeRunRecord } from '../../lib/pipeline/run-record.js';
import { FsStore, STAGING_DIR } from '../../lib/store/fs-store.js';

const folder = () => mkdtemp(join(tmpdir(), 'clio-outputs-'));
const read = (dir: string, key: string) => readFile(join(dir, key), 'utf8');

it('writes a set of outputs as one, leaving nothing staged', async () => {
  const dir = await folder();
  const store = new FsStore(dir);
  await store.writeAll([
    ['hierarchy.json', 'B'],
    ['combined.csv', 'B'],
    ['previous/hierarchy.json', 'A'],
  ]);
  expect(await read(dir, 'hierarchy.json')).toBe('B');
  expect(await read(dir, 'previous/hierarchy.json')).toBe('A');
  await expect(stat(join(dir, STAGING_DIR))).rejects.toThrow();
});

it('a writer killed before committing leaves the old outputs; the next writer drops its set', async () => {
  const dir = await folder();
  const store = new FsStore(dir);
  await store.writeAll([
    ['hierarchy.json', 'A'],
    ['combined.csv', 'A'],
  ]);
  // What a kill leaves after staging one file of run B and before the list that commits them.
  await mkdir(join(dir, STAGING_DIR), { recursive: true });
  await writeFile(join(dir, STAGING_DIR, 'hierarchy.json'), 'B');
  await store.settle();
  expect(await read(dir, 'hierarchy.json')).toBe('A');
  await store.writeAll([['combined.csv', 'C']]);
  expect(await read(dir, 'hierarchy.json')).toBe('A');
  expect(await read(dir, 'combined.csv')).toBe('C');
});

it('a writer killed halfway through moving a committed set is completed by the next reader', async () => {
  const dir = await folder();
  const store = new FsStore(dir);
  await store.writeAll([
    ['hierarchy.json', 'A'],
    ['combined.csv', 'A'],
  ]);
  // Committed, hierarchy.json already moved into place, combined.csv not yet.
  await mkdir(join(dir, STAGING_DIR), { recursive: true });
  await writeFile(join(dir, 'hierarchy.json'), 'B');
  await writeFile(join(dir, STAGING_DIR, 'combined.csv'), 'B');
  await writeFile(
    join(dir, STAGING_DIR, '.committed.json'),
    JSON.stringify(['hierarchy.json', 'combined.csv']),
  );
  await new FsStore(dir).settle();
  expect(await read(dir, 'combined.csv')).toBe('B');
  await expect(stat(join(dir, STAGING_DIR))).rejects.toThrow();
});

it('says when run.json is a later attempt than the outputs, and not otherwise', async () => {
  const dir = await folder();
  const store = new FsStore(dir);
  const attempt = newRunRecord({
    startedAt: new Date('2026-05-01T10:00:00Z'),
    digest: 'abcdef',
    hierarchy: [2],
    partitions: null,
    llm: 'offline@1',
    embedder: 'e',
  });
  await store.write('hierarchy.json', JSON.stringify({ run: { runId: 'run-A' } }));
  await writeRunRecord(store, { ...attempt, status: 'interrupted', stage: 'embed' });
  expect(await unfinishedAttemptNote(store)).toBe(
    'the latest run (started 2026-05-01T10:00:00.000Z) did not finish (interrupted during embed); showing the previous complete run run-A',
  );
  await writeRunRecord(store, { ...attempt, runId: 'run-A', status: 'interrupted' });
  expect(await unfinishedAttemptNote(store)).toBeUndefined();
  await writeRunRecord(store, { ...attempt, status: 'done' });
  expect(await unfinishedAttemptNote(store)).toBeUndefined();
});

afterEach(() => vi.restoreAllMocks());

it('the first Ctrl-C asks the run to stop, the second ends the process at once', () => {
  const exit = vi.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  const lines: string[] = [];
  const listening = process.listenerCount('SIGTERM');
  const interrupts = catchInterrupts((line) => lines.push(line));
  try {
    process.emit('SIGINT', 'SIGINT');
    expect(interrupts.signal.aborted).toBe(true);
    expect(interrupts.signal.reason).toBe('SIGINT');
    expect(lines[0]).toMatch(/press Ctrl-C again to quit at once/);
    expect(exit).not.toHaveBeenCalled();
    process.emit('SIGINT', 'SIGINT');
    expect(exit).toHaveBeenCalledWith(130);
  } finally {
    interrupts.dispose();
  }
  expect(process.listenerCount('SIGTERM')).toBe(listening);
});
