import { describe, expect, it } from 'vitest';
import { formatOverview } from '../../lib/cli/overview.js';
import { terminalProgress } from '../../lib/cli/progress.js';
import { describeWork, reportWarnings } from '../../lib/pipeline/reporting.js';
import type { ProgressReporter } from '../../lib/pipeline/types.js';
import { formatRunRows } from '../../lib/remote/runs.js';
import { oneLine, terminalText } from '../../lib/util/terminal-text.js';
import { syntheticHierarchy } from '../e2e/synthetic.js';

/** ESC (colour, OSC title), BEL, CR, DEL, C1 CSI, the line separator and a bidi override. */
const HOSTILE = 'a\u001b[31mred\u001b]0;title\u0007\rover\u007f\u009b2J\u2028\u202eevil';

/** Any character a terminal could obey rather than show, newlines and tabs aside. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: what the test looks for
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/;

describe('text from data on a terminal', () => {
  it('escapes every control character visibly, one field on one line', () => {
    const text = oneLine(`${HOSTILE}\nline two\tcell`);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text).not.toContain('\n');
    expect(text).toBe(
      'a\\u001b[31mred\\u001b]0;title\\u0007\\u000dover\\u007f\\u009b2J\\u2028\\u202eevil\\u000aline two\\u0009cell',
    );
  });

  it('keeps the newlines and tabs of a block, and a JSON document valid with the same value', () => {
    expect(terminalText(`one\n\ttwo${HOSTILE}`)).toMatch(/^one\n\ttwo/);
    const value = { id: HOSTILE, names: ['\u0085next', 'plain'] };
    const json = terminalText(JSON.stringify(value, null, 2));
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(value);
  });

  it('the progress reporter prints warnings and info escaped, one line each', () => {
    const lines: string[] = [];
    for (const quiet of [false, true]) {
      const progress = terminalProgress({ quiet, tty: false, write: (l) => lines.push(l) });
      progress.warn(`line 3: id "${HOSTILE}"\nwarning: forged`);
      progress.info(`10 items from ${HOSTILE}`);
    }
    expect(lines.length).toBe(3); // quiet prints warnings only
    for (const line of lines) {
      expect(line).not.toMatch(RAW_CONTROL);
      expect(line).not.toContain('\n');
    }
    expect(lines[0]).toContain('\\u001b[31mred');
  });

  it('the overview prints cluster names, failure ids and reasons escaped', () => {
    const doc = syntheticHierarchy({ items: 40, hierarchy: [4, 2] });
    for (const cluster of doc.clusters) cluster.name = `${HOSTILE}\nTop-level clusters:`;
    doc.run.failures = [{ stage: 'summarize', id: `id${HOSTILE}`, reason: `bad\n${HOSTILE}` }];
    const text = formatOverview(doc, '/tmp/out', ['hierarchy.json']);
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.split('\n').filter((l) => l.includes('Top-level clusters:'))).toHaveLength(1);
    expect(text).toContain('summarize ida\\u001b[31mred');
  });

  it("the remote commands' run list prints config keys, stages and errors escaped", () => {
    const text = formatRunRows(
      [
        {
          runId: 'r1',
          createdAt: '2026-01-01T00:00:00.000Z',
          status: 'failed',
          stage: HOSTILE,
          items: 3,
          costUsd: 0,
          durationMs: 1000,
          configKey: `configs/${HOSTILE}.json`,
          error: `ClioError: ${HOSTILE}\nforged line`,
        },
      ],
      'OpenClio',
    );
    expect(text).not.toMatch(RAW_CONTROL);
    expect(text.split('\n')).toHaveLength(3); // header, the run, its error
  });
});

describe('floods of warnings', () => {
  const capture = () => {
    const lines: string[] = [];
    const progress: ProgressReporter = {
      start() {},
      tick() {},
      finish() {},
      info() {},
      warn: (m) => lines.push(m),
    };
    return { lines, progress };
  };

  it('prints the first 20 of a kind, then one line with the rest and where they all are', () => {
    const { lines, progress } = capture();
    const problems = Array.from({ length: 5000 }, (_, i) => `rows.jsonl:${i + 1}: not valid JSON`);
    reportWarnings(progress, problems, { kind: 'problems with the source' });
    expect(lines).toHaveLength(21);
    expect(lines.slice(0, 20)).toEqual(problems.slice(0, 20));
    expect(lines[20]).toBe(
      '… and 4980 more problems with the source; all 5000 are listed in run.json',
    );
  });

  it('prints a short list whole, with no count line', () => {
    const { lines, progress } = capture();
    reportWarnings(progress, ['a', 'b'], { kind: 'warnings', where: 'elsewhere' });
    expect(lines).toEqual(['a', 'b']);
  });
});

describe('progress lines', () => {
  it('an internal step says it started, never "1 to do"', () => {
    const lines: string[] = [];
    const progress = terminalProgress({ quiet: false, tty: false, write: (l) => lines.push(l) });
    progress.start('cluster level 0');
    progress.finish();
    progress.start('name level 0', 12);
    progress.finish();
    expect(lines[0]).toBe('cluster level 0: started');
    expect(lines[1]).toMatch(/^cluster level 0: done in \d+\.\d s$/);
    expect(lines[2]).toBe('name level 0: 12 to do');
    expect(lines.join('\n')).not.toContain('1 to do');
  });

  it('cached work is shown as cached', () => {
    expect(describeWork(120, 'summaries', { cached: 120, failed: 0 })).toBe(
      '120 summaries (120 cached)',
    );
    expect(describeWork(120, 'summaries', { cached: 100, failed: 2 })).toBe(
      '120 summaries (100 cached, 18 new, 2 failed)',
    );
    expect(describeWork(120, 'embeddings', { cached: 0 })).toBe('120 embeddings');
  });
});
