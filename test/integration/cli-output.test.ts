import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from '../helpers/cli.js';
import { demoRows, smallRun } from '../helpers/small-run.js';

/** An id that would set the window title, recolour, move the cursor (C1 CSI) and fake a line. */
const EVIL_ID = 'evil\u001b]0;owned\u0007\u001b[31m\u009b2J\r\u2028';

/** Anything a terminal could obey rather than show (newlines and tabs are ours). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test looks for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/;

describe('generate on data with control characters and 39 duplicate ids', () => {
  let dir: string;
  let result: CliRun;
  beforeAll(async () => {
    // Every row has the same hostile id: 39 "duplicate id" warnings, each quoting it.
    const rows = (await demoRows(40)).map((row) => ({ ...row, id: EVIL_ID }));
    dir = await smallRun(rows);
    result = await runCli(['generate', '--config', 'config.json'], dir);
  }, 60_000);

  it('runs, and nothing it prints carries a raw control character', () => {
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(RAW_CONTROL);
    expect(result.stdout).not.toMatch(RAW_CONTROL);
    // Escaped visibly, not dropped.
    expect(result.stderr).toContain('evil\\u001b]0;owned\\u0007\\u001b[31m\\u009b2J\\u000d\\u2028');
  });

  it('prints 20 of the warnings, then how many more and that run.json lists them all', async () => {
    const duplicates = result.stderr.split('\n').filter((l) => l.includes('duplicate id'));
    expect(duplicates).toHaveLength(20);
    expect(result.stderr).toContain(
      'warning: … and 19 more problems with the source; all 39 are listed in run.json',
    );
    const record = JSON.parse(await readFile(join(dir, 'results', 'run.json'), 'utf8'));
    expect(record.failures.filter((f: { stage: string }) => f.stage === 'source')).toHaveLength(39);
  });

  it('--json output stays valid JSON with the same values', async () => {
    const json = await runCli(['generate', '--config', 'config.json', '--json'], dir);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    const printed = JSON.parse(json.stdout);
    const written = JSON.parse(await readFile(join(dir, 'results', 'run.json'), 'utf8'));
    expect(printed.failures).toEqual(written.failures);
  });

  it('the error printer escapes what it quotes', async () => {
    const failed = await runCli(['generate', '--config', `missing${EVIL_ID}.json`], dir);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('missingevil\\u001b]0;owned');
    expect(failed.stderr).not.toMatch(RAW_CONTROL);
  });
});
