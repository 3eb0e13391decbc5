import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { buildViewer } from '../../lib/viz/bundle.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import {
  axeProblems,
  hasChromium,
  IMAGES,
  launchChromium,
  type PageCanvas,
  type PageGlobals,
} from './browser.js';
import { type ExplorerRuns, makeExplorerRuns, PAYLOADS } from './fixture.js';

interface SizedElement {
  readonly clientHeight: number;
}

interface StyleGlobals {
  getComputedStyle(element: SizedElement): { lineHeight: string };
}

interface TableRowElement {
  readonly cells: readonly { readonly textContent: string | null }[];
}

/**
 * The earlier run of the demo: half of the largest base cluster's items missing, so the cluster
 * table has a change to show against it.
 */
function earlier(doc: HierarchyDoc): HierarchyDoc {
  const bases = doc.clusters.filter((c) => c.level === 0).sort((a, b) => b.size - a.size);
  const largest = bases[0]?.id;
  let seen = 0;
  const items = doc.items.filter((item) => item.path[0] !== largest || seen++ % 2 === 1);
  const size = (level: number, id: number) =>
    items.filter((item) => item.path[level] === id).length;
  return {
    ...doc,
    run: {
      ...doc.run,
      runId: `${doc.run.runId}-earlier`,
      counts: { ...doc.run.counts, clustered: items.length },
    },
    clusters: doc.clusters.map((c) => ({ ...c, size: size(c.level, c.id) })),
    items,
  };
}

/** The explorer's map, hierarchy, cluster table and "why" panel in real Chromium. */
describe.skipIf(!hasChromium)('the explorer views', () => {
  let runs: ExplorerRuns;
  let server: VizServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    const dist = await buildViewer(await mkdtemp(join(tmpdir(), 'clio-viewer-')));
    [runs, browser] = await Promise.all([makeExplorerRuns(), launchChromium()]);
    // The demo again as a run folder with a previous run in it, for the table's change column.
    const later = join(await mkdtemp(join(tmpdir(), 'clio-views-')), 'later');
    await cp(join(runs.dir, 'demo'), later, { recursive: true });
    await mkdir(join(later, 'previous'), { recursive: true });
    await writeFile(join(later, 'previous', 'hierarchy.json'), JSON.stringify(earlier(runs.demo)));
    server = await startVizServer({
      runs: [...(await findRuns(runs.dir)), ...(await findRuns(later))],
      distDir: dist,
    });
    await mkdir(IMAGES, { recursive: true });
    context = await browser.newContext({
      viewport: { width: 1280, height: 800 },
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (hash: string, target = page) => {
    await target.goto(`${server.url}${hash}`);
    await target.locator('main h1').first().waitFor();
  };
  const heading = async () => (await page.locator('main h1').first().textContent()) ?? '';
  const mapDrawn = (target = page) =>
    target.waitForFunction(() =>
      Number(
        (globalThis as unknown as PageGlobals).document
          .querySelector('[data-testid=map-canvas]')
          ?.getAttribute('data-drawn'),
      ),
    );
  const attribute = async (name: string) =>
    (await page.getByTestId('map-canvas').getAttribute(name)) ?? '';
  const topLevel = () => runs.demo.clusters.filter((c) => c.parent === null);

  const overflow = () =>
    page.evaluate(() => {
      const { documentElement } = (globalThis as unknown as PageGlobals).document;
      return documentElement.scrollWidth - documentElement.clientWidth;
    });

  it('spreads the map over the canvas and names the top-level clusters on it', async () => {
    await open('#run=demo&view=map');
    await mapDrawn();
    await page.screenshot({ path: join(IMAGES, 'explorer-map.png') });
    // Where the dots are: the box holding the middle 90 % of dark pixels on each axis.
    const spread = await page.getByTestId('map-canvas').evaluate((element: PageCanvas) => {
      const context2d = element.getContext('2d');
      if (!context2d) return 0;
      const { data, width } = context2d.getImageData(0, 0, element.width, element.height);
      const xs: number[] = [];
      const ys: number[] = [];
      for (let i = 0; i < data.length; i += 4) {
        if ((data[i] as number) < 200 || (data[i + 2] as number) < 200) {
          xs.push((i / 4) % width);
          ys.push(Math.floor(i / 4 / width));
        }
      }
      const span = (v: number[]) => {
        v.sort((a, b) => a - b);
        return (v[Math.floor(v.length * 0.95)] ?? 0) - (v[Math.floor(v.length * 0.05)] ?? 0);
      };
      return (span(xs) * span(ys)) / (element.width * element.height);
    });
    // Before: 0.15 (a square fit of the full range, as issue 16 found); now about 0.38.
    expect(spread).toBeGreaterThan(0.3);
    const named = (await attribute('data-labels')).split('\n');
    const tops = topLevel().map((c) => c.name);
    expect(named.length).toBeGreaterThanOrEqual(2);
    for (const name of named) expect(tops).toContain(name);
  });

  it('zooms with the wheel and the buttons, naming deeper clusters as it goes', async () => {
    await open('#run=demo&view=map');
    await mapDrawn();
    const canvas = page.getByTestId('map-canvas');
    const box = (await canvas.boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -300);
    await expect.poll(async () => Number(await attribute('data-zoom'))).toBeGreaterThan(2);
    const level1 = runs.demo.clusters.filter((c) => c.level === 1).map((c) => c.name);
    await expect
      .poll(
        async () =>
          (await attribute('data-labels')).split('\n').filter((n) => level1.includes(n)).length,
      )
      .toBeGreaterThan(0);
    // Dragging pans: the same zoom, the dots moved.
    const before = await attribute('data-zoom');
    await page.mouse.move(box.x + 100, box.y + 100);
    await page.mouse.down();
    await page.mouse.move(box.x + 220, box.y + 160, { steps: 5 });
    await page.mouse.up();
    expect(await attribute('data-zoom')).toBe(before);
    await page.getByRole('button', { name: 'Reset view' }).click();
    await expect.poll(() => attribute('data-zoom')).toBe('1');
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await expect.poll(async () => Number(await attribute('data-zoom'))).toBeCloseTo(1.6);
  });

  it('lists the items inside a band drawn over the map', async () => {
    await open('#run=demo&view=map');
    await mapDrawn();
    const canvas = page.getByTestId('map-canvas');
    const box = (await canvas.boundingBox()) as {
      x: number;
      y: number;
      width: number;
      height: number;
    };
    await page.getByRole('button', { name: 'Select an area' }).click();
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.7, { steps: 6 });
    await page.mouse.up();
    const panel = page.getByTestId('map-selection');
    await panel.waitFor();
    const selected = Number(((await panel.locator('h2').textContent()) ?? '').replace(/\D/g, ''));
    expect(selected).toBeGreaterThan(0);
    expect(selected).toBeLessThan(runs.demo.items.length);
    await expect
      .poll(() => panel.getByTestId('selected-items').getByRole('link').count())
      .toBe(Math.min(20, selected));
    const summaries = new Set(runs.demo.items.map((i) => i.summary));
    for (const text of await panel
      .getByTestId('selected-items')
      .getByRole('link')
      .allTextContents()) {
      expect(summaries.has(text)).toBe(true);
    }
    await page.getByTestId('selected-items').getByRole('link').first().click();
    await page.getByTestId('item-detail').waitFor();
  });

  it('offers the map as a table of named clusters and places, usable with the keyboard', async () => {
    await open('#run=demo&view=map');
    await mapDrawn();
    const summary = page.locator('.map-places summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    const rows = page.getByTestId('map-places').locator('tbody tr');
    const named = (await attribute('data-labels')).split('\n');
    expect(await rows.count()).toBe(topLevel().length);
    expect(named.length).toBeLessThanOrEqual(await rows.count());
    expect(await rows.first().textContent()).toMatch(/\d+% across, \d+% down/);
    await rows.first().getByRole('button').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => attribute('data-zoom')).toBe('4');
  });

  it('previews a point on the first tap and opens it on the second', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      isMobile: true,
    });
    const tab = await phone.newPage();
    await open('#run=demo&view=map', tab);
    await mapDrawn(tab);
    const canvas = tab.getByTestId('map-canvas');
    const spot = await canvas.evaluate((element: PageCanvas) => {
      const context2d = element.getContext('2d');
      const { data, width } = context2d?.getImageData(0, 0, element.width, element.height) ?? {
        data: new Uint8ClampedArray(),
        width: 1,
      };
      // The middle of a run of dark pixels in the middle row band: a dot, not an edge.
      for (let i = Math.floor(data.length / 8) * 4; i < data.length; i += 4) {
        if ((data[i] as number) < 170) {
          const scale = element.clientWidth / width;
          return { x: ((i / 4) % width) * scale + 1, y: Math.floor(i / 4 / width) * scale + 1 };
        }
      }
      return { x: 0, y: 0 };
    });
    const box = (await canvas.boundingBox()) as { x: number; y: number };
    await tab.touchscreen.tap(box.x + spot.x, box.y + spot.y);
    await tab.locator('.tooltip').getByText('Tap it again to open.').waitFor();
    expect(tab.url()).not.toContain('item=');
    await tab.touchscreen.tap(box.x + spot.x, box.y + spot.y);
    await tab.getByTestId('item-detail').waitFor();
    await phone.close();
  });

  it('keeps long names in the map legend to two lines with the whole name at hand', async () => {
    await open('#run=xss&view=map');
    const link = page
      .getByRole('navigation', { name: 'Top-level clusters on the map' })
      .getByRole('link')
      .first();
    const root = runs.xss.clusters
      .filter((c) => c.parent === null)
      .sort((a, b) => b.size - a.size)[0];
    expect(await link.getAttribute('title')).toBe(root?.name);
    const lines = await link.locator('.legend-name').evaluate((element: SizedElement) => {
      const { getComputedStyle } = globalThis as unknown as StyleGlobals;
      return element.clientHeight / Number.parseFloat(getComputedStyle(element).lineHeight);
    });
    expect(lines).toBeLessThanOrEqual(2.05);
  });

  it('shows the whole hierarchy as an icicle and zooms in and out on click', async () => {
    await open('#run=demo&view=hierarchy');
    const cells = page.getByTestId('hierarchy-cell');
    expect(await cells.count()).toBe(runs.demo.clusters.length);
    const labels = await page.locator('[data-testid=hierarchy] text').allTextContents();
    for (const root of topLevel()) {
      expect(labels.some((l) => l.startsWith(root.name.split(' ')[0] ?? '-'))).toBe(true);
    }
    await page.mouse.move(0, 0);
    await page.screenshot({ path: join(IMAGES, 'explorer-hierarchy.png') });
    const root = topLevel().sort((a, b) => b.size - a.size)[0] as HierarchyDoc['clusters'][number];
    await page.locator(`[data-testid=hierarchy-cell][aria-label^="${root.name}:"]`).click();
    await expect.poll(heading).toBe(`Hierarchy: ${root.name}`);
    const inside = runs.demo.items.filter((i) => i.path[root.level] === root.id);
    const descendants = new Set(
      inside.flatMap((i) => i.path.slice(0, root.level).map((id, l) => `${l}.${id}`)),
    );
    await expect.poll(() => cells.count()).toBe(descendants.size + 1);
    // The zoomed cluster, leftmost, zooms back out.
    await page.locator(`[data-testid=hierarchy-cell][aria-label^="${root.name}:"]`).click();
    await expect.poll(heading).toBe('Hierarchy');
    const base = runs.demo.clusters.find(
      (c) => c.level === 0 && c.size > 40,
    ) as HierarchyDoc['clusters'][number];
    await page.locator(`[data-testid=hierarchy-cell][aria-label^="${base.name}:"]`).first().click();
    await expect.poll(heading).toContain(base.name);
  });

  it('explains a cluster: distinctive terms, nearest clusters, label mix', async () => {
    const base = runs.demo.clusters.find((c) => c.level === 0) as HierarchyDoc['clusters'][number];
    await open(`#run=demo&c=0.${base.id}`);
    const why = page.getByTestId('why');
    // Closed at first, so the page's items never wait behind it; opens from the keyboard.
    expect(await why.getByTestId('why-terms').count()).toBe(0);
    await why.locator('summary').focus();
    await page.keyboard.press('Enter');
    await why.getByTestId('why-terms').waitFor();
    const terms = await why.getByTestId('why-terms').locator('li').allTextContents();
    expect(terms.length).toBeGreaterThan(2);
    for (const t of terms) expect(t).toMatch(/\d+% of members · \d+% of the rest of its level/);
    const nearest = await why.getByTestId('why-nearest').locator('li').allTextContents();
    expect(nearest).toHaveLength(5);
    const similarities = nearest.map((n) => Number(/similarity (-?[\d.]+)/.exec(n)?.[1]));
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    const members = runs.demo.items.filter((i) => i.path[0] === base.id);
    const counts = new Map<string, number>();
    for (const m of members) counts.set(m.label ?? '', (counts.get(m.label ?? '') ?? 0) + 1);
    const top = Math.max(...counts.values());
    expect(await why.locator('h3').allTextContents()).toContain(
      `Label mix (purity ${Math.round((100 * top) / members.length)}%)`,
    );
    await why.locator('summary').blur();
    await why.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(IMAGES, 'explorer-why.png') });
  });

  it('sorts, filters and exports the cluster table, with the change since the previous run', async () => {
    await open('#run=later&view=table');
    const rows = page.getByTestId('table-row');
    await expect.poll(() => rows.count()).toBe(runs.demo.clusters.length);
    const column = async (name: string) => {
      const index = (await page.locator('thead th').allTextContents()).findIndex((t) =>
        t.startsWith(name),
      );
      return rows.evaluateAll(
        (trs: unknown[], i: number) =>
          (trs as TableRowElement[]).map((tr) => tr.cells[i]?.textContent ?? ''),
        index,
      );
    };
    const numbers = (texts: string[]) =>
      texts.map((t) => Number(t.replace(/[^\d.−-]/g, '').replace('−', '-')));
    await page.getByRole('button', { name: /^Items/ }).click();
    expect(await page.locator('th[aria-sort]').textContent()).toContain('Items');
    const ascending = numbers(await column('Items'));
    expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
    await page.getByRole('button', { name: /^Items/ }).click();
    const descending = numbers(await column('Items'));
    expect(descending).toEqual([...descending].sort((a, b) => b - a));
    // The largest base cluster lost half its items in the previous run: it grew since.
    await expect
      .poll(async () => (await column('Change')).filter((t) => t.startsWith('+')).length)
      .toBeGreaterThan(0);
    await expect
      .poll(async () => (await column('Label purity')).every((t) => /%$/.test(t)))
      .toBe(true);
    await page.screenshot({ path: join(IMAGES, 'explorer-table.png') });

    await page.getByLabel('Level').selectOption('0');
    expect(await rows.count()).toBe(runs.demo.clusters.filter((c) => c.level === 0).length);
    expect(numbers(await column('Level')).every((l) => l === 0)).toBe(true);
    const word = (runs.demo.clusters.find((c) => c.level === 0)?.name ?? '').split(
      ' ',
    )[0] as string;
    await page.getByLabel('Name contains').fill(word);
    const names = await rows.locator('th').allTextContents();
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(name.toLowerCase()).toContain(word.toLowerCase());

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: /Download CSV/ }).click(),
    ]);
    const csv = await readFile((await download.path()) as string, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'level,cluster_id,name,partition,size,share,share_change_points,change,embedding_fit,judge_hierarchical_fit,label_purity',
    );
    expect(lines).toHaveLength(names.length + 1);
    expect(lines.slice(1).every((l) => l.startsWith('0,'))).toBe(true);
  });

  it('shows markup in names as text in the new views; nothing runs', async () => {
    const root = runs.xss.clusters.find(
      (c) => c.parent === null,
    ) as HierarchyDoc['clusters'][number];
    for (const hash of [
      '#run=xss&view=hierarchy',
      '#run=xss&view=table',
      `#run=xss&c=${root.level}.${root.id}`,
    ]) {
      await open(hash);
      if (hash.includes('table')) await page.getByTestId('table-row').first().waitFor();
      if (hash.includes('&c=')) {
        await page.getByTestId('why').locator('summary').click();
        await page.getByTestId('why-terms').or(page.getByText('No term stands out.')).waitFor();
      }
      expect(await page.locator('main').textContent()).toContain(PAYLOADS.img);
    }
    await open('#run=xss&view=map');
    await mapDrawn();
    await page.locator('.map-places summary').click();
    const planted = await page.evaluate(() => {
      const { document, __xss } = globalThis as unknown as PageGlobals;
      return { flag: __xss, elements: document.querySelectorAll('main img, main script').length };
    });
    expect(planted).toEqual({ flag: undefined, elements: 0 });
  });

  it('has no serious accessibility problem and no sideways scrolling, on a desktop and a phone', async () => {
    const base = runs.demo.clusters.find((c) => c.level === 0) as HierarchyDoc['clusters'][number];
    const screens = [
      '#run=demo&view=map',
      '#run=demo&view=hierarchy',
      '#run=later&view=table',
      `#run=demo&c=0.${base.id}`,
    ];
    for (const [width, height] of [
      [1280, 800],
      [390, 844],
      [320, 640],
    ] as const) {
      await page.setViewportSize({ width, height });
      for (const hash of screens) {
        await open(hash);
        if (hash.includes('map')) {
          await mapDrawn();
          await page.locator('.map-places summary').click();
        }
        if (hash.includes('c=0.')) {
          await page.getByTestId('why').locator('summary').click();
          await page.getByTestId('why-terms').waitFor();
        }
        if (hash.includes('table')) await page.getByTestId('table-row').first().waitFor();
        expect(await overflow(), `${hash} at ${width} px`).toBeLessThanOrEqual(0);
        if (width !== 320) expect(await axeProblems(page), `${hash} at ${width} px`).toEqual([]);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });
});
