import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGenerateCommand } from '../../lib/cli/generate-command.js';
import { runTrendsCommand } from '../../lib/cli/trends-command.js';
import { savePathHistory } from '../../lib/cli/viz-command.js';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { silentProgress } from '../../lib/pipeline/types.js';
import { FsStore } from '../../lib/store/fs-store.js';
import { historyUpdate } from '../../lib/trends/history.js';
import type { Trends } from '../../lib/trends/trends.js';
import { buildViewer } from '../../lib/viz/bundle.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import { topicItems } from '../helpers/topic-items.js';
import { axeProblems, hasChromium, IMAGES, launchChromium, type PageGlobals } from './browser.js';

/** Three windows of one config: mobile fades out, sign-in trouble doubles, notifications appear. */
const WINDOWS = [
  [...topicItems('billing', 0, 60), ...topicItems('login', 0, 60), ...topicItems('mobile', 0, 60)],
  [
    ...topicItems('billing', 60, 120),
    ...topicItems('login', 60, 120),
    ...topicItems('mobile', 60, 100),
  ],
  [
    ...topicItems('billing', 120, 180),
    ...topicItems('login', 120, 240),
    ...topicItems('notifications', 0, 60),
  ],
];

/** The base cluster of `doc` whose members are all about `topic`. */
function baseOf(doc: HierarchyDoc, topic: string) {
  const cluster = doc.clusters.find(
    (c) =>
      c.level === 0 &&
      doc.items.filter((i) => i.path[0] === c.id).every((i) => i.label === topic) &&
      doc.items.some((i) => i.path[0] === c.id),
  );
  if (!cluster) throw new Error(`no base cluster of ${topic} only in run ${doc.run.runId}`);
  return cluster;
}

/** A share as `open-clio trends` prints it: one decimal, a dash where the cluster is absent. */
const printed = (trends: Trends, key: string) => {
  const cluster = trends.clusters.find((c) => c.key === key);
  return cluster?.shares.map((s, r) =>
    (cluster.sizes[r] ?? 0) > 0 ? `${(s * 100).toFixed(1)}%` : '–',
  );
};

/** The Trends view over a real history: three offline runs of one config into one save_path. */
describe.skipIf(!hasChromium)('the explorer Trends view', () => {
  let dir: string;
  const docs: HierarchyDoc[] = [];
  let base: Trends;
  let server: VizServer;
  let oneRun: VizServer;
  let dist: Promise<string>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    dist = buildViewer(await mkdtemp(join(tmpdir(), 'clio-viewer-')));
    const launched = launchChromium();
    dir = await mkdtemp(join(tmpdir(), 'clio-trends-ui-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        source: { file: 'data.jsonl' },
        hierarchy: [3, 2],
        summary_prompt: '{{example.inputs.messages}}',
        save_path: 'results',
        llm: { provider: 'offline' },
      }),
    );
    for (const lines of WINDOWS) {
      await writeFile(join(dir, 'data.jsonl'), `${lines.join('\n')}\n`);
      const result = await runGenerateCommand({
        config: 'config.json',
        cwd: dir,
        progress: silentProgress,
      });
      docs.push(result.doc);
    }
    // What `open-clio trends --json --level base` prints for the config.
    base = await runTrendsCommand({ config: 'config.json', cwd: dir, level: 'base' });

    const savePath = join(dir, 'results');
    const store = new FsStore(savePath);
    const runs = await findRuns(savePath);
    const history = savePathHistory(store, runs);
    expect(history).toBeDefined();
    server = await startVizServer({
      runs,
      distDir: await dist,
      ...(history ? { history } : {}),
    });

    // A save_path whose history holds one run so far, recorded by the real writer.
    const young = join(dir, 'young');
    await mkdir(young);
    await copyFile(join(savePath, 'hierarchy.json'), join(young, 'hierarchy.json'));
    const youngStore = new FsStore(young);
    const update = await historyUpdate(youngStore, [docs[2]], 30);
    for (const [key, body] of update.files) await youngStore.write(key, body);
    oneRun = await startVizServer({
      runs: await findRuns(young),
      distDir: await dist,
      history: youngStore,
    });

    browser = await launched;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await oneRun?.close();
  });

  const rowOf = (key: string) => page.locator(`[data-testid=trend-row][data-key="${key}"]`);
  const openTrends = async (target: VizServer = server) => {
    await page.goto(`${target.url}#view=trends`);
    await page.locator('main h1', { hasText: 'Trends' }).waitFor();
  };
  const showBase = async () => {
    await page.getByLabel('Level').selectOption('base');
    await page.locator('[data-testid=trend-row]').first().waitFor();
  };

  it('highlights the new and the growing topic, with the shares `trends --json` gives', async () => {
    await openTrends();
    await showBase();
    const notifications = baseOf(docs[2] as HierarchyDoc, 'notifications');
    const login = baseOf(docs[2] as HierarchyDoc, 'login');
    expect(base.clusters.find((c) => c.key === notifications.key)?.status).toBe('new');

    const newRow = rowOf(notifications.key as string);
    await expect(newRow.locator('.change.new').textContent()).resolves.toBe('new');
    await expect(
      rowOf(login.key as string)
        .locator('.change.growing')
        .textContent(),
    ).resolves.toBe('growing');

    // Every row, and every run's point in it, as the command has them.
    const keys = await page
      .locator('[data-testid=trend-row]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
    expect([...keys].sort()).toEqual(base.clusters.map((c) => c.key).sort());
    for (const cluster of base.clusters) {
      const titles = await rowOf(cluster.key).locator('circle > title').allTextContents();
      const shown = titles.map((t) => /(\d+\.\d%|–)(?:, not in this run)?$/.exec(t)?.[1]);
      expect(shown, cluster.name).toEqual(printed(base, cluster.key));
    }
    expect(await axeProblems(page)).toEqual([]);
    await page.screenshot({ path: join(IMAGES, 'explorer-trends.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('opens a point in the run it is from, and says when that run is no longer kept', async () => {
    await openTrends();
    await showBase();
    const login = baseOf(docs[2] as HierarchyDoc, 'login');
    const row = rowOf(login.key as string);

    // The latest run is the save_path's own.
    await row.locator('[data-testid=trend-point][data-run="3"]').click();
    await page.locator('main h1', { hasText: login.name }).waitFor();
    expect(page.url()).toContain(`c=0.${login.id}`);

    // The run before is its previous/ run, which the explorer lists too.
    await page.goBack();
    await showBase();
    const before = (docs[1] as HierarchyDoc).clusters.find(
      (c) => c.level === 0 && c.key === login.key,
    );
    expect(before).toBeDefined();
    await row.locator('[data-testid=trend-point][data-run="2"]').click();
    await page.waitForURL(/run=previous/);
    await page.locator('main h1', { hasText: before?.name as string }).waitFor();
    expect(page.url()).toContain(`c=0.${before?.id}`);

    // A gone topic's name opens it in the last kept run that had it: the one before.
    await page.goBack();
    await showBase();
    const mobile = baseOf(docs[1] as HierarchyDoc, 'mobile');
    await expect(rowOf(mobile.key as string).getAttribute('data-status')).resolves.toBe('vanished');
    await rowOf(mobile.key as string)
      .getByRole('button', { name: mobile.name })
      .click();
    await page.locator('main h1', { hasText: mobile.name }).waitFor();
    expect(page.url()).toContain('run=previous');
    expect(page.url()).toContain(`c=0.${mobile.id}`);

    // The first run is only in the history.
    await page.goBack();
    await showBase();
    await row.locator('[data-testid=trend-point][data-run="1"]').press('Enter');
    const note = page.getByTestId('trend-note');
    await note.filter({ hasText: 'no longer kept' }).waitFor();
    expect(await note.textContent()).toMatch(/run #1 .*is no longer kept/);
    expect(page.url()).toContain('view=trends');
    expect(errors).toEqual([]);
  });

  it('fits a phone without sideways scrolling of the page', async () => {
    await page.setViewportSize({ width: 320, height: 640 });
    try {
      await openTrends();
      await showBase();
      const sideways = await page.evaluate(() => {
        const { documentElement } = (globalThis as unknown as PageGlobals).document;
        return documentElement.scrollWidth - documentElement.clientWidth;
      });
      expect(sideways).toBeLessThanOrEqual(0);
      expect(await axeProblems(page)).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('says there is no history to show for a folder of several save_paths', async () => {
    const runs = await findRuns(dir);
    expect(runs.map((r) => r.key).sort()).toEqual(['results', 'young']);
    expect(savePathHistory(new FsStore(dir), runs)).toBeUndefined();
    const folder = await startVizServer({ runs, distDir: await dist });
    try {
      await page.goto(`${folder.url}#run=results&view=trends`);
      await expect(page.getByTestId('trends-empty').textContent()).resolves.toMatch(
        /no run history here/,
      );
    } finally {
      await folder.close();
    }
  });

  it('says trends need a second run when the history holds one', async () => {
    await openTrends(oneRun);
    await expect(page.getByTestId('trends-empty').textContent()).resolves.toMatch(
      /need at least two runs of this config/,
    );
  });
});
