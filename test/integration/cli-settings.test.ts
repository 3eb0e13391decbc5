import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { demoRows, smallRun } from '../helpers/small-run.js';

const warningsIn = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('warning:'));

const readRecord = async (dir: string) =>
  JSON.parse(await readFile(join(dir, 'results', 'run.json'), 'utf8')) as {
    status: string;
    error: string | null;
  };

describe.concurrent('settings that make no sense for the data', () => {
  it('more clusters than items: levels shrink to stay strictly decreasing, with one warning', async () => {
    const dir = await smallRun(await demoRows(10), { hierarchy: [36, 12, 5] });
    const run = await runCli(['generate', '--config', 'config.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Clustered 10 items into 9 → 8 → 5 clusters');
    const warnings = warningsIn(run.stderr);
    expect(warnings.filter((w) => w.includes('hierarchy'))).toEqual([
      expect.stringContaining(
        '`hierarchy` [36, 12, 5] asks for more clusters than 10 items can fill; using [9, 8, 5]',
      ),
    ]);
    expect(run.stderr).not.toMatch(/level \d: asked for/);
    expect(run.stderr).not.toMatch(/: 1 to do/); // k-means and grouping are internal steps
    expect(run.stderr).toMatch(/^cluster level 0: started$/m);

    // Run again: the work taken from the caches is shown as cached.
    const again = await runCli(['generate', '--config', 'config.json'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('10 summaries (10 cached)');
    // (TF-IDF is fitted on each run's texts, so its vectors are not cached; cli.test.ts
    // checks cached embeddings with the default embedder.)
  }, 90_000);

  it('so few items that a level would repeat the one below: it is dropped', async () => {
    const dir = await smallRun(await demoRows(3), { hierarchy: [36, 12, 5] });
    const run = await runCli(['generate', '--config', 'config.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Clustered 3 items into 2 → 1 clusters');
    expect(await readdir(join(dir, 'results'))).not.toContain('level_2_clusters.csv');
  }, 60_000);

  it('min_cluster_size that withholds every cluster exits non-zero and says why', async () => {
    const dir = await smallRun(await demoRows(40), { min_cluster_size: 1000 });
    const run = await runCli(['generate', '--config', 'config.json'], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'open-clio: min_cluster_size 1000 withholds every cluster: the largest base cluster has',
    );
    expect(run.stdout).not.toContain('Clustered 0 items');
    expect(await readRecord(dir)).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('min_cluster_size 1000 withholds every cluster'),
    });
  }, 60_000);

  it('sample larger than the data: said once, and every item is used', async () => {
    const dir = await smallRun(await demoRows(40), { sample: 5000 });
    const run = await runCli(['generate', '--config', 'config.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(warningsIn(run.stderr).filter((w) => w.includes('sample'))).toEqual([
      'warning: `sample` 5000 is more than the 40 items; using all of them',
    ]);
    expect(run.stdout).toContain('Clustered 40 items');
  }, 60_000);

  it('llm.temperature: deprecated, ignored, and the run goes on', async () => {
    const dir = await smallRun(await demoRows(20), { llm: { temperature: 0.2 } });
    const run = await runCli(['generate', '--config', 'config.json'], dir);
    expect(run.code, run.stderr).toBe(0);
    expect(warningsIn(run.stderr).filter((w) => w.includes('temperature'))).toEqual([
      expect.stringContaining('`llm.temperature` is deprecated and ignored'),
    ]);
  }, 60_000);
});

describe.concurrent('save_path that cannot hold the results: named with the reason, before any work', () => {
  const cases: [string, (dir: string) => Promise<string>, RegExp][] = [
    [
      'a file',
      async (dir) => {
        await writeFile(join(dir, 'taken'), 'x');
        return 'taken';
      },
      /^open-clio: save_path "taken" is a file, not a folder/,
    ],
    ['a folder under /proc (a write there hangs)', async () => '/proc/x', /is inside \/proc/],
    ['a folder under /sys', async () => '/sys/kernel/clio', /is inside \/sys/],
  ];
  for (const [what, savePath, message] of cases) {
    it(what, async () => {
      const dir = await smallRun(await demoRows(5));
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({ ...config, save_path: await savePath(dir) }),
      );
      const run = await runCli(['generate', '--config', 'config.json'], dir);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toContain('items from'); // the source was never read
    }, 60_000);
  }
});

describe('--version', () => {
  it("prints the package's version", async () => {
    const pkg = JSON.parse(
      await readFile(resolve(import.meta.dirname, '../../package.json'), 'utf8'),
    );
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag], import.meta.dirname);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(pkg.version);
    }
  });
});
