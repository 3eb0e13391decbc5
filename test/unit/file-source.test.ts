import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadFileSource } from '../../lib/sources/file/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-source-'));
});

const mapping = { idField: 'id', labelField: 'label' };

async function load(
  name: string,
  body: string,
  extra: Partial<typeof mapping> & Record<string, string> = {},
) {
  const path = join(dir, name);
  await writeFile(path, body);
  return loadFileSource({
    path,
    format: name.endsWith('.csv') ? 'csv' : 'jsonl',
    ...mapping,
    ...extra,
  });
}

describe('JSONL source', () => {
  it('takes rows with inputs as they are and wraps any other row as inputs', async () => {
    const { items, problems } = await load(
      'a.jsonl',
      [
        JSON.stringify({
          id: 'x1',
          inputs: { q: 'hi' },
          outputs: { a: 'yo' },
          metadata: { m: 1 },
          label: 'greet',
        }),
        JSON.stringify({ text: 'plain row', label: 'other' }),
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    expect(items[0]).toEqual({
      id: 'x1',
      inputs: { q: 'hi' },
      outputs: { a: 'yo' },
      metadata: { m: 1, label: 'greet' },
    });
    expect(items[1]).toEqual({
      id: '2',
      inputs: { text: 'plain row' },
      metadata: { label: 'other' },
    });
  });

  it('reports bad rows by line number and keeps the rest', async () => {
    const { items, problems } = await load(
      'b.jsonl',
      '{"id":"a","text":"ok"}\n{not json\n\n[1,2]\n{"id":"b","text":"ok"}\n',
    );
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(problems.map((p) => p.location)).toEqual(['b.jsonl:2', 'b.jsonl:4']);
    expect(problems[0]?.message).toMatch(/not valid JSON/);
  });

  it('keeps items with duplicate ids under a new id and reports it', async () => {
    const { items, problems } = await load('c.jsonl', '{"id":"a","t":1}\n{"id":"a","t":2}\n');
    expect(items.map((i) => i.id)).toEqual(['a', 'a~2']);
    expect(problems[0]?.message).toMatch(/duplicate id "a"/);
  });

  it('uses the configured id and label fields', async () => {
    const { items } = await load('d.jsonl', '{"key":"k9","cat":"billing","text":"refund"}\n', {
      idField: 'key',
      labelField: 'cat',
    });
    expect(items[0]).toEqual({
      id: 'k9',
      inputs: { text: 'refund' },
      metadata: { label: 'billing' },
    });
  });
});

describe('CSV source', () => {
  it('reads columns, parses JSON cells and reports malformed rows by line', async () => {
    const csv =
      'id,question,context,label\nr1,How do I export?,"{""page"": 2}",export\nr2,too,few\nr3,"Multi\nline",[1],billing\n';
    const { items, problems } = await load('e.csv', csv);
    expect(items).toEqual([
      {
        id: 'r1',
        inputs: { question: 'How do I export?', context: { page: 2 } },
        metadata: { label: 'export' },
      },
      {
        id: 'r3',
        inputs: { question: 'Multi\nline', context: [1] },
        metadata: { label: 'billing' },
      },
    ]);
    expect(problems).toHaveLength(1);
    expect(problems[0]?.location).toBe('e.csv:3');
  });

  it('maps named columns to inputs and outputs', async () => {
    const { items } = await load('f.csv', 'q,a\nwhat?,that\n', {
      inputsField: 'q',
      outputsField: 'a',
    });
    expect(items[0]).toEqual({ id: '2', inputs: 'what?', outputs: 'that', metadata: {} });
  });
});

it('names the file when it cannot be read', async () => {
  await expect(
    loadFileSource({ path: join(dir, 'missing.jsonl'), format: 'jsonl', ...mapping }),
  ).rejects.toThrow(/missing\.jsonl/);
});
