import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli, startCli, untilStderr } from '../helpers/cli.js';
import { demoCopy, setDemoConfig } from '../helpers/demo.js';

const GENERATE = ['generate', '--config', 'configs/demo.json'];

const results = (dir: string, file: string) => join(dir, 'demo_results', file);
const readJson = async (dir: string, file: string) =>
  JSON.parse(await readFile(results(dir, file), 'utf8'));
const lineCount = async (dir: string, file: string) =>
  (await readFile(results(dir, file), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;

describe('Ctrl-C during a re-run', () => {
  // A complete run A of 120 items, then run B of 700 interrupted a few seconds into embedding.
  let dir: string;
  let runA: string;
  let interrupted: CliRun;
  let embeddedBefore: number;
  let embeddedAtInterrupt: number;
  beforeAll(async () => {
    dir = await demoCopy({ sample: 120 });
    const first = await runCli(GENERATE, dir);
    expect(first.code, first.stderr).toBe(0);
    runA = (await readJson(dir, 'run.json')).runId;
    embeddedBefore = await lineCount(dir, 'cache/embeddings.jsonl');
    await setDemoConfig(dir, { sample: 700 });
    const started = startCli(GENERATE, dir);
    await untilStderr(started, /embed: 700 to do/);
    // Interrupted mid-embed, once B's first vectors are saved (the model takes a while to load).
    while ((await lineCount(dir, 'cache/embeddings.jsonl')) === embeddedBefore) {
      if (started.exited()) throw new Error(started.output().stderr);
      await new Promise((r) => setTimeout(r, 100));
    }
    started.child.kill('SIGINT');
    interrupted = await started.done;
    embeddedAtInterrupt = await lineCount(dir, 'cache/embeddings.jsonl');
  }, 240_000);

  it('exits 130 saying where it stopped and how to resume', () => {
    expect(interrupted.code, interrupted.stderr).toBe(130);
    expect(interrupted.stderr).toContain('open-clio: interrupted (SIGINT) during embed');
    expect(interrupted.stderr).toContain('run the same command again to resume');
  });

  it('records the run as interrupted at its stage in run.json', async () => {
    const record = await readJson(dir, 'run.json');
    expect(record).toMatchObject({ status: 'interrupted', stage: 'embed' });
    expect(record.runId).not.toBe(runA);
    expect(record.error).toContain('run the same command again');
    expect(record.finishedAt).not.toBeNull();
  });

  it('keeps every summary and the embeddings done so far', async () => {
    expect(await lineCount(dir, 'cache/summaries.jsonl')).toBeGreaterThanOrEqual(700);
    expect(embeddedAtInterrupt).toBeGreaterThan(embeddedBefore);
    expect(embeddedAtInterrupt - embeddedBefore).toBeLessThan(700);
  });

  it('leaves the previous complete run readable, and evaluate says which it reads', async () => {
    const doc = await readJson(dir, 'hierarchy.json');
    expect(doc.run.runId).toBe(runA);
    const rows = parse(await readFile(results(dir, 'combined.csv'), 'utf8'), { columns: true });
    expect(rows).toHaveLength(120);
    await expect(stat(results(dir, '.staging'))).rejects.toThrow();
    const evaluated = await runCli(
      ['evaluate', '--config', 'configs/demo.json', '--no-judge'],
      dir,
    );
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stderr).toMatch(
      new RegExp(
        `the latest run \\(started [^)]+\\) did not finish \\(interrupted during embed\\); evaluating the previous complete run ${runA}`,
      ),
    );
  }, 120_000);

  it('a re-run reuses every summary and the saved embeddings, embedding fewer texts', async () => {
    const resumed = await runCli(GENERATE, dir);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('700 summaries (700 cached)');
    const counts = /700 embeddings \((\d+) cached, (\d+) new\)/.exec(resumed.stderr);
    expect(counts, resumed.stderr).not.toBeNull();
    const [, reused, fresh] = counts ?? [];
    // Every vector B saved is one of its texts (duplicate summaries share a line).
    const saved = embeddedAtInterrupt - embeddedBefore;
    expect(Number(reused) + Number(fresh)).toBe(700);
    expect(Number(reused)).toBeGreaterThanOrEqual(saved);
    expect(Number(fresh)).toBeLessThanOrEqual(700 - saved);
    expect(await readJson(dir, 'run.json')).toMatchObject({ status: 'done' });
    expect((await readJson(dir, 'hierarchy.json')).run.runId).not.toBe(runA);
    const previous = await readJson(dir, 'previous/hierarchy.json');
    expect(previous.run.runId).toBe(runA);
  }, 180_000);
});

describe('SIGTERM', () => {
  it('ends a run with 143 and records it interrupted', async () => {
    const dir = await demoCopy({ sample: 200 });
    const started = startCli(GENERATE, dir);
    await untilStderr(started, /embed: 200 to do/);
    started.child.kill('SIGTERM');
    const ended = await started.done;
    expect(ended.code, ended.stderr).toBe(143);
    expect(ended.stderr).toContain('interrupted (SIGTERM) during embed');
    expect(await readJson(dir, 'run.json')).toMatchObject({
      status: 'interrupted',
      stage: 'embed',
    });
    expect(await lineCount(dir, 'cache/summaries.jsonl')).toBe(200);
  }, 120_000);
});

describe('a broken pipe', () => {
  it('does not end the run: `generate | head -1` still writes every output', async () => {
    const dir = await demoCopy({ sample: 100 });
    const started = startCli([...GENERATE, '--no-viz'], dir);
    // The reader goes away after the first line, as `head -1` does; later writes hit EPIPE.
    await untilStderr(started, /\n/);
    started.child.stdout?.destroy();
    started.child.stderr?.destroy();
    const ended = await started.done;
    expect(ended.code).toBe(0);
    expect(await readJson(dir, 'run.json')).toMatchObject({ status: 'done' });
    expect((await readJson(dir, 'hierarchy.json')).items).toHaveLength(100);
    await stat(results(dir, 'combined.csv'));
  }, 120_000);
});
