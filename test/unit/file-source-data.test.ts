import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lib/config/index.js';
import { type FileSourceOptions, loadFileSource } from '../../lib/sources/file/index.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { withPrefix } from '../../lib/store/prefixed.js';

/** Data files as people hand them over: exported by spreadsheets, Windows editors, other tools. */

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'clio-data-'));
});

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const bytes = (...parts: (string | Buffer | number[])[]) =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

async function load(name: string, body: string | Buffer, extra: Partial<FileSourceOptions> = {}) {
  const path = join(dir, name);
  await writeFile(path, body);
  return loadFileSource({
    path,
    format: name.endsWith('.csv') ? 'csv' : 'jsonl',
    idField: 'id',
    labelField: 'label',
    ...extra,
  });
}

describe('a byte-order mark', () => {
  it('is dropped from a JSONL file: row 1 is read like the others', async () => {
    const { items, problems } = await load(
      'bom.jsonl',
      bytes(BOM, '{"id":"a","text":"one"}\n{"id":"b","text":"two"}\n'),
    );
    expect(problems).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
  });

  it('is dropped from a CSV file: the first column keeps its name', async () => {
    const { items, problems } = await load('bom.csv', bytes(BOM, 'id,text\nr1,hello\n'));
    expect(problems).toEqual([]);
    expect(items).toEqual([{ id: 'r1', inputs: { text: 'hello' }, metadata: {} }]);
  });

  it('is dropped when a store hands the file over as text', async () => {
    const { items } = await loadFileSource(
      { path: '/x/bom.jsonl', format: 'jsonl', idField: 'id', labelField: 'label' },
      async () => '\uFEFF{"id":"a","text":"one"}\n',
    );
    expect(items.map((i) => i.id)).toEqual(['a']);
  });
});

describe('invalid UTF-8', () => {
  it('is reported by line and count, and the rows are kept', async () => {
    const { items, problems, warnings } = await load(
      'latin1.jsonl',
      bytes(
        '{"id":"a","text":"fine"}\n',
        '{"id":"b","text":"caf',
        [0xe9],
        '"}\n',
        '{"id":"c","text":"fine"}\n',
        '{"id":"d","text":"',
        [0xff, 0xfe, 0x41],
        '"}\n',
      ),
    );
    expect(problems).toEqual([]);
    expect(items.map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(items[1]?.inputs).toEqual({ text: 'caf\uFFFD' });
    expect(warnings).toHaveLength(1);
    expect(warnings?.[0]).toContain('latin1.jsonl: 2 lines hold bytes that are not valid UTF-8');
    expect(warnings?.[0]).toContain('lines 2, 4');
  });

  it('is told apart from a real U+FFFD in valid UTF-8, which is not reported', async () => {
    const { items, warnings } = await load('real-fffd.jsonl', '{"id":"a","text":"x\uFFFDy"}\n');
    expect(warnings).toEqual([]);
    expect(items[0]?.inputs).toEqual({ text: 'x\uFFFDy' });
  });

  it('is reported in CSV files too', async () => {
    const { items, warnings } = await load(
      'latin1.csv',
      bytes('id,text\nr1,ok\nr2,na', [0xef, 0x76], 'e\n'),
    );
    expect(items).toHaveLength(2);
    expect(warnings?.[0]).toMatch(/latin1\.csv: 1 line hold.* \(line 3\)/);
  });

  it('is read as bytes from a folder store, so the staged path checks it too', async () => {
    const store = withPrefix(new FsStore(dir), 'sub');
    await store.write('x.jsonl', bytes('{"id":"a","t":"', [0xc3], '"}\n'));
    const read = await store.readBytes?.('x.jsonl');
    expect(read).toBeInstanceOf(Uint8Array);
    expect(read?.[15]).toBe(0xc3);
  });
});

describe('a file that is not text in the format it is read as', () => {
  it('is refused when it holds NUL bytes (a zip, a spreadsheet, an image)', async () => {
    const zip = bytes([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00], 'xl/workbook.xml');
    await expect(load('data.csv', zip)).rejects.toThrow(
      /cannot read source file .*data\.csv: it looks like a binary file, not text \(it holds a NUL byte at byte 6\)/,
    );
  });

  it('is refused with the fix when it is UTF-16', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('id,text\n', 'utf16le')]);
    await expect(load('wide.csv', utf16)).rejects.toThrow(/UTF-16 .*save it as UTF-8/);
  });

  it('stops when more than half of the rows do not parse, naming the key that allows more', async () => {
    const prose =
      'Meeting notes\nWe met, talked, and agreed.\nNext: ship it, then rest, then more.\nok\n';
    const failure = load('notes.jsonl', prose);
    await expect(failure).rejects.toThrow(
      /4 of the 4 rows of .*notes\.jsonl could not be read as jsonl \(first: notes\.jsonl:1: not valid JSON/,
    );
    await expect(failure).rejects.toThrow(/source\.max_bad_row_fraction \(0\.5\)/);
    const jsonlAsCsv = [1, 2, 3, 4]
      .map((i) => JSON.stringify({ id: i, text: `a, b${', c'.repeat(i)}` }))
      .join('\n');
    await expect(load('rows.csv', jsonlAsCsv)).rejects.toThrow(/4 of the 4 rows .*as csv/);
  });

  it('keeps going when at most the allowed share of rows is bad', async () => {
    const half = '{"id":"a","t":"x"}\nnot json\n{"id":"b","t":"y"}\n{oops\n';
    const { items, problems } = await load('half.jsonl', half);
    expect(items.map((i) => i.id)).toEqual(['a', 'b']);
    expect(problems).toHaveLength(2);
    const mostlyBad = '{"id":"a","t":"x"}\nnot json\n{oops\n';
    await expect(load('bad.jsonl', mostlyBad)).rejects.toThrow(/2 of the 3 rows/);
    const allowed = await load('bad2.jsonl', mostlyBad, { maxBadRowFraction: 0.7 });
    expect(allowed.items.map((i) => i.id)).toEqual(['a']);
    await expect(load('bad3.jsonl', half, { maxBadRowFraction: 0 })).rejects.toThrow(
      /\(0\) allows/,
    );
  });

  it('source.max_bad_row_fraction is validated as a fraction', () => {
    const raw = (value: unknown) => ({
      hierarchy: [2],
      summary_prompt: '{{example.inputs}}',
      source: { file: 'a.jsonl', max_bad_row_fraction: value },
    });
    const opts = { file: '/cfg/config.json', dir: '/cfg' };
    for (const bad of [1.5, -0.1, '0.5']) {
      let error: unknown;
      try {
        parseConfig(raw(bad), opts);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toMatch(
        /`source\.max_bad_row_fraction`.*a fraction from 0 to 1/,
      );
    }
    expect(parseConfig(raw(0.9), opts).source?.max_bad_row_fraction).toBe(0.9);
    expect(parseConfig(raw(undefined), opts).source?.max_bad_row_fraction).toBe(0.5);
  });
});

describe('source.id_field', () => {
  it('that no row has is an error naming the key, the file and the fields rows have', async () => {
    const failure = load('ids.jsonl', '{"key":"a","text":"x"}\n{"key":"b","text":"y"}\n', {
      idField: 'uuid',
      idFieldGiven: true,
    });
    await expect(failure).rejects.toThrow(
      /source\.id_field is "uuid", but no row of .*ids\.jsonl has that field.*\(the rows have "key", "text"\)/,
    );
    await expect(
      load('ids.csv', 'key,text\na,x\n', { idField: 'uuid', idFieldGiven: true }),
    ).rejects.toThrow(/has that column/);
  });

  it('that some rows lack is a warning listing them; those rows are named by line', async () => {
    const { items, warnings } = await load(
      'some.jsonl',
      '{"uuid":"a","t":"x"}\n{"t":"y"}\n{"uuid":"","t":"z"}\n{"uuid":"d","t":"w"}\n',
      { idField: 'uuid', idFieldGiven: true },
    );
    expect(items.map((i) => i.id)).toEqual(['a', '2', '3', 'd']);
    expect(warnings).toEqual([
      'some.jsonl: 2 of 4 rows have no "uuid" (lines 2, 3); those items are named by their line number',
    ]);
  });

  it('left at its default `id` numbers rows by line when none has an id, as documented', async () => {
    const { items, warnings } = await load('noid.jsonl', '{"t":"x"}\n{"t":"y"}\n');
    expect(items.map((i) => i.id)).toEqual(['1', '2']);
    expect(warnings).toEqual([]);
  });
});
