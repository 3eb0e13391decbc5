import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const DEMO_DATA = resolve(import.meta.dirname, '../../configs/demo-data/support.jsonl');

/** The first `count` demo conversations, as parsed rows. */
export async function demoRows(count: number): Promise<Record<string, unknown>[]> {
  const lines = (await readFile(DEMO_DATA, 'utf8')).split('\n').filter(Boolean);
  return lines.slice(0, count).map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * A temp folder with `data.jsonl` (the given rows, or raw lines) and `config.json` for a fast
 * offline run (TF-IDF embedder, no model to load), with the given keys changed.
 */
export async function smallRun(
  rows: readonly (Record<string, unknown> | string)[],
  changes: Record<string, unknown> = {},
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'clio-small-'));
  const lines = rows.map((row) => (typeof row === 'string' ? row : JSON.stringify(row)));
  await writeFile(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
  const config = {
    source: { file: 'data.jsonl' },
    hierarchy: [4, 2],
    summary_prompt: 'Summarize: {{example.inputs}}',
    save_path: './results',
    embedder: { provider: 'tfidf' },
    ...changes,
  };
  await writeFile(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}
