import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { buildViewer } from '../../lib/viz/bundle.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import { hasChromium, launchChromium, type PageCanvas, type PageGlobals } from './browser.js';
import { type ExplorerRuns, makeExplorerRuns, PAYLOADS } from './fixture.js';

const SHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');

/** The explorer in real Chromium against a generated demo run and a run full of markup. */
describe.skipIf(!hasChromium)('the explorer in a browser', () => {
  let runs: ExplorerRuns;
  let server: VizServer;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    // Built from the current sources into a temp folder: never a stale viewer/dist.
    const dist = await buildViewer(await mkdtemp(join(tmpdir(), 'clio-viewer-')));
    [runs, browser] = await Promise.all([makeExplorerRuns(), launchChromium()]);
    server = await startVizServer({ runs: await findRuns(runs.dir), distDir: dist });
    await mkdir(SHOTS, { recursive: true });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (hash: string) => {
    await page.goto(`${server.url}${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const text = async (locator: Locator) => (await locator.textContent()) ?? '';
  const heading = () => text(page.locator('main h1').first());
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
  const cluster = (doc: HierarchyDoc, level: number, id: number) =>
    doc.clusters.find((c) => c.level === level && c.id === id);

  it('lists the runs, then opens the overview of one', async () => {
    await open('');
    await expect.poll(heading).toBe('Choose a run');
    expect(await page.getByTestId('run').count()).toBe(2);
    await page.getByRole('link', { name: 'demo', exact: true }).click();
    await page.getByTestId('cluster-row').first().waitFor();
    const overview = await text(page.getByLabel('Run overview'));
    expect(overview).toContain('1,500 clustered of 1,500 loaded');
    expect(overview).toContain('30 → 10 → 4 clusters');
    const top = runs.demo.clusters.filter((c) => c.level === 2);
    expect(await page.getByTestId('cluster-row').count()).toBe(top.length);
    await shot('overview');
  });

  it('says on the run page what the privacy floor held back', async () => {
    await open('#run=demo&view=run');
    const privacy = page.locator('table', { has: page.locator('caption', { hasText: 'Privacy' }) });
    const rows = (await privacy.locator('tr').allTextContents()).map((row) => row.trim());
    const { run } = runs.demo;
    expect(rows).toContain(`items withheld${run.counts.withheld.toLocaleString('en-US')}`);
    expect(rows).toContain(
      `clusters under ${run.privacy?.minClusterSize} items${run.privacy?.withheldClusters.size}`,
    );
    expect(rows).toContain('auditoff');
  });

  it('drills two levels down, then back up with the breadcrumb', async () => {
    await open('#run=demo');
    const first = page.getByTestId('cluster-row').first().locator('a');
    const topName = await text(first.locator('.name'));
    await first.click();
    await expect.poll(heading).toContain(topName);
    const child = page.getByTestId('cluster-row').first().locator('a');
    const childName = await text(child.locator('.name'));
    await child.click();
    await expect.poll(heading).toContain(childName);
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link');
    expect(await crumbs.allTextContents()).toEqual(['All clusters', topName, childName]);
    await shot('cluster');
    await crumbs.nth(1).click();
    await expect.poll(heading).toContain(topName);
  });

  it('opens an item: its summary, id, clusters and the start of the original', async () => {
    const base = runs.demo.clusters.find((c) => c.level === 0) as HierarchyDoc['clusters'][number];
    await open(`#run=demo&c=0.${base.id}`);
    const member = page.getByTestId('member').first();
    await member.getByRole('button').click();
    const detail = page.getByTestId('item-detail');
    await detail.waitFor();
    const id = await text(member.locator('.meta span').first());
    const item = runs.demo.items.find((i) => i.id === id);
    expect(item?.path[0]).toBe(base.id);
    expect(await text(detail.locator('pre'))).toBe(item?.preview);
    expect(page.url()).toContain(`item=${encodeURIComponent(id)}`);
    await shot('item');
  });

  it('searches cluster names, descriptions and summaries, and opens a hit', async () => {
    await open('#run=demo');
    await page.getByRole('searchbox').fill('refund');
    await page.getByTestId('item-hit').first().waitFor();
    const hits = await page.getByTestId('item-hit').allTextContents();
    expect(hits.length).toBeGreaterThan(3);
    for (const hit of hits) expect(hit.toLowerCase()).toContain('refund');
    await shot('search');
    await page.getByTestId('item-hit').first().getByRole('link').click();
    await page.getByTestId('item-detail').waitFor();
    expect(await text(page.getByTestId('item-detail'))).toMatch(/refund/i);
  });

  it('filters by partition: the clusters, the search and the map', async () => {
    await open('#run=demo');
    await page.getByLabel('Partition').selectOption('Product Feedback');
    await page.waitForURL(/part=Product/);
    const rows = await page.getByTestId('cluster-row').locator('.name').allTextContents();
    expect(rows).toEqual(['Product Feedback']);
    await page.getByRole('searchbox').fill('the');
    await page.getByTestId('item-hit').first().waitFor();
    const ids = await page.getByTestId('item-hit').locator('.muted').allTextContents();
    const inPartition = new Set(
      runs.demo.items.filter((i) => i.partition === 'Product Feedback').map((i) => i.id),
    );
    for (const text of ids) expect(inPartition.has(text.trim().split(' ')[0] ?? '')).toBe(true);
  });

  it('follows a deep link to a page of a cluster', async () => {
    const big = runs.demo.clusters.find((c) => c.level === 1 && c.size > 50);
    expect(big).toBeDefined();
    const target = big as HierarchyDoc['clusters'][number];
    await open(`#run=demo&c=1.${target.id}&page=2`);
    await expect.poll(heading).toContain(cluster(runs.demo, 1, target.id)?.name);
    expect(await text(page.locator('.pager').first())).toContain('Items 51–');
    await open(`#run=demo&view=treemap&c=1.${target.id}`);
    expect(await page.locator('.treemap svg a').count()).toBeGreaterThan(0);
    await shot('treemap');
  });

  it('draws the map, shows a summary on hover and opens the item on click', async () => {
    await open('#run=demo&view=map');
    const canvas = page.getByTestId('map-canvas');
    await page.waitForFunction(() =>
      Number(
        (globalThis as unknown as PageGlobals).document
          .querySelector('[data-testid=map-canvas]')
          ?.getAttribute('data-drawn'),
      ),
    );
    expect(Number(await canvas.getAttribute('data-drawn'))).toBe(1500);
    // Find a drawn dot by its colour and point at it.
    const spot = await canvas.evaluate((element: PageCanvas) => {
      const context = element.getContext('2d');
      if (!context) return { dark: 0, x: 0, y: 0 };
      const { data, width } = context.getImageData(0, 0, element.width, element.height);
      let dark = 0;
      let found: [number, number] | null = null;
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i] as number) < 200) {
          dark++;
          found ??= [(i / 4) % width, Math.floor(i / 4 / width)];
        }
      }
      const scale = element.clientWidth / width;
      return { dark, x: (found?.[0] ?? 0) * scale + 1, y: (found?.[1] ?? 0) * scale + 1 };
    });
    expect(spot.dark).toBeGreaterThan(1000);
    const box = (await canvas.boundingBox()) as { x: number; y: number };
    await page.mouse.move(box.x + spot.x, box.y + spot.y);
    await page.locator('.tooltip').waitFor();
    await page.waitForFunction(
      () =>
        !(globalThis as unknown as PageGlobals).document
          .querySelector('.tooltip')
          ?.textContent?.endsWith('…'),
    );
    await shot('map');
    await page.mouse.click(box.x + spot.x, box.y + spot.y);
    await page.getByTestId('item-detail').waitFor();
  });

  it('renders markup in names, summaries and originals as text; nothing runs', async () => {
    await open('#run=xss');
    const root = runs.xss.clusters.find((c) => c.parent === null);
    await page.getByTestId('cluster-row').first().waitFor();
    await open(`#run=xss&c=${root?.level}.${root?.id}`);
    await page.getByTestId('member').first().getByRole('button').click();
    await page.getByTestId('item-detail').waitFor();
    const shown = await text(page.locator('main'));
    expect(shown).toContain(PAYLOADS.img);
    expect(shown).toContain(PAYLOADS.script);
    expect(shown).toContain(PAYLOADS.svg);
    await shot('xss');
    for (const hash of ['#run=xss&q=onerror', '#run=xss&view=treemap', '#run=xss&view=run']) {
      await open(hash);
      await page.waitForTimeout(300);
    }
    await page.getByRole('searchbox').fill('img');
    await page.getByTestId('item-hit').first().waitFor();
    const planted = await page.evaluate(() => {
      const { document, __xss } = globalThis as unknown as PageGlobals;
      const selector = 'main img, main script, main svg:not(.treemap svg)';
      return { flag: __xss, elements: document.querySelectorAll(selector).length };
    });
    expect(planted).toEqual({ flag: undefined, elements: 0 });
    expect(errors).toEqual([]);
  });

  it('is keyboard navigable and fits a phone-width screen', async () => {
    await open('#run=demo');
    // The header (one tab per view), the facet filter and ranking controls, then the list.
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press('Tab');
      const inList = await page.evaluate(() =>
        Boolean(
          (globalThis as unknown as PageGlobals).document.activeElement?.closest('.clusters'),
        ),
      );
      if (inList) break;
    }
    const name = await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).document.activeElement?.querySelector('.name')
          ?.textContent ?? '',
    );
    expect(name).not.toBe('');
    await page.keyboard.press('Enter');
    await expect.poll(heading).toContain(name);

    await page.setViewportSize({ width: 390, height: 844 });
    for (const [hash, shotName] of [
      ['#run=demo', 'phone-overview'],
      [`#run=demo&c=2.0`, 'phone-cluster'],
      ['#run=demo&view=map', 'phone-map'],
    ] as const) {
      await open(hash);
      await page.waitForTimeout(200);
      const overflow = await page.evaluate(() => {
        const { documentElement } = (globalThis as unknown as PageGlobals).document;
        return documentElement.scrollWidth - documentElement.clientWidth;
      });
      expect(overflow, hash).toBeLessThanOrEqual(0);
      await shot(shotName);
    }
  });
});
