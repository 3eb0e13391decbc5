import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { runRecordSchema } from '../../lib/pipeline/run-record.js';
import { type CliRun, runCli } from '../helpers/cli.js';

/**
 * `open-clio generate` on data files as they come: the exit code, what the terminal says and
 * what run.json and the CSVs hold. The runs start together (TF-IDF embeddings: no model load).
 */

const TOPICS = ['refund for a double charge', 'password reset link expired', 'export to csv fails'];
const row = (i: number, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `r${i}`, text: `${TOPICS[i % 3]} (case ${i})`, ...extra });
const rows = (n: number) => Array.from({ length: n }, (_, i) => row(i));

interface Case {
  readonly data: string | Buffer;
  readonly file?: string;
  readonly config?: Record<string, unknown>;
}

const CASES = {
  emptyTemplate: {
    data: rows(12).join('\n'),
    config: { summary_prompt: '{{example.inputs.body}}' },
  },
  someEmpty: {
    data: [
      ...rows(12),
      JSON.stringify({ id: 'blank', text: '   ' }),
      JSON.stringify({ id: 'none' }),
    ].join('\n'),
  },
  bomAndLatin1: {
    data: Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(`${rows(12).join('\n')}\n{"id":"latin","text":"caf`),
      Buffer.from([0xe9]),
      Buffer.from(' au lait refund"}\n'),
    ]),
  },
  binary: { data: Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x08, 0x00]), file: 'data.csv' },
  missingIdField: {
    data: rows(12).join('\n'),
    config: { source: { file: 'data.jsonl', id_field: 'uuid' } },
  },
  oneLevel: { data: rows(12).join('\n'), config: { hierarchy: [2] } },
} satisfies Record<string, Case>;

type Name = keyof typeof CASES;
const runs = {} as Record<Name, CliRun & { dir: string }>;

beforeAll(async () => {
  await Promise.all(
    Object.entries(CASES).map(async ([name, c]: [string, Case]) => {
      const dir = await mkdtemp(join(tmpdir(), `clio-data-${name}-`));
      const file = c.file ?? 'data.jsonl';
      await writeFile(join(dir, file), c.data);
      const config = {
        source: { file },
        hierarchy: [3, 2],
        summary_prompt: 'Request: {{example.inputs.text}}',
        save_path: './out',
        embedder: { provider: 'tfidf' },
        ...c.config,
      };
      await writeFile(join(dir, 'config.json'), JSON.stringify(config));
      const run = await runCli(['generate', '--config', 'config.json'], dir);
      runs[name as Name] = { ...run, dir };
    }),
  );
}, 60_000);

const runRecord = async (name: Name) =>
  runRecordSchema.parse(
    JSON.parse(await readFile(join(runs[name].dir, 'out', 'run.json'), 'utf8')),
  );
const combined = async (name: Name) =>
  parse(await readFile(join(runs[name].dir, 'out', 'combined.csv'), 'utf8'), {
    columns: true,
  }) as Record<string, string>[];

describe('items the template takes no text from', () => {
  it('when it is every item, the run fails with a message that says so (not "Clustered 0 items")', async () => {
    const { code, stdout, stderr } = runs.emptyTemplate;
    expect(code).not.toBe(0);
    expect(stdout).not.toMatch(/Clustered/);
    expect(stderr).toMatch(
      /summary_prompt took no text from any of the 12 items, so there is nothing to cluster .*it has no \{\{example\.inputs\.body\}\}/,
    );
    const record = await runRecord('emptyTemplate');
    expect(record.status).toBe('failed');
    expect(record.counts).toMatchObject({ skipped: 12, failed: 0, summarized: 0 });
  });

  it('when it is some items, they are skipped with their reason and kept out of the clusters', async () => {
    const { code, stdout, stderr } = runs.someEmpty;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/2 skipped \(no text to summarize\)/);
    expect(stdout).toMatch(/Clustered 12 items/);
    expect(stdout).toMatch(/summarize blank: skipped: summary_prompt took no text from this item/);
    const record = await runRecord('someEmpty');
    expect(record.counts).toMatchObject({ loaded: 14, summarized: 12, skipped: 2, failed: 0 });
    expect(record.failures.map((f) => [f.id, f.code])).toEqual([
      ['blank', 'empty-item'],
      ['none', 'empty-item'],
    ]);
    const csv = await combined('someEmpty');
    expect(csv.map((r) => r.example_id)).not.toContain('blank');
    expect(csv.some((r) => /no text/.test(r.summary ?? ''))).toBe(false);
  });
});

describe('data files', () => {
  it('a BOM and invalid UTF-8: every row is read, the bad bytes are reported on the terminal and in run.json', async () => {
    const { code, stderr } = runs.bomAndLatin1;
    expect(code, stderr).toBe(0);
    expect(stderr).toMatch(/data\.jsonl: 1 line hold.* not valid UTF-8 \(line 13\)/);
    const record = await runRecord('bomAndLatin1');
    expect(record.counts.loaded).toBe(13);
    expect(record.failures).toEqual([]);
    expect(record.warnings.some((w) => /not valid UTF-8 \(line 13\)/.test(w))).toBe(true);
    expect((await combined('bomAndLatin1')).map((r) => r.example_id)).toContain('r0');
  });

  it('a binary file named .csv stops the run before anything is clustered', () => {
    const { code, stderr, stdout } = runs.binary;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(/data\.csv: it looks like a binary file, not text/);
    expect(stdout).not.toMatch(/Clustered/);
  });

  it('an id_field no row has stops the run naming the key and the file', () => {
    const { code, stderr } = runs.missingIdField;
    expect(code).not.toBe(0);
    expect(stderr).toMatch(
      /source\.id_field is "uuid", but no row of .*data\.jsonl has that field/,
    );
  });

  it('a one-level hierarchy writes the top_cluster columns the README lists', async () => {
    expect(runs.oneLevel.code, runs.oneLevel.stderr).toBe(0);
    const [first] = await combined('oneLevel');
    expect(Object.keys(first ?? {})).toEqual([
      'example_id',
      'full_example',
      'summary',
      'partition',
      'base_cluster_id',
      'base_cluster_name',
      'top_cluster_id',
      'top_cluster_name',
      'facet_language',
      'facet_turns',
      'facet_length',
    ]);
    expect(first?.top_cluster_id).toBe(first?.base_cluster_id);
  });
});
