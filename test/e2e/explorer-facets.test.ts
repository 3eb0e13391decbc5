import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FacetDistribution } from '../../lib/facets/distribution.js';
import type { ClusterRecord, HierarchyDoc, ItemRecord } from '../../lib/output/hierarchy-schema.js';
import { buildViewer } from '../../lib/viz/bundle.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import { withQuestionFacets } from '../helpers/facet-run.js';
import {
  hasChromium,
  IMAGES,
  launchChromium,
  type PageCanvas,
  type PageGlobals,
} from './browser.js';
import { makeExplorerRuns } from './fixture.js';

const SHOTS = resolve(import.meta.dirname, '../../test-output/screenshots');
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeViolation {
  readonly id: string;
  readonly impact: string;
  readonly nodes: readonly { readonly target: readonly string[] }[];
}

const count = (n: number) => new Intl.NumberFormat('en').format(n);

function distribution<K extends FacetDistribution['kind']>(
  c: ClusterRecord,
  name: string,
  kind: K,
): Extract<FacetDistribution, { kind: K }> {
  const d = c.facets?.[name];
  if (d?.kind !== kind) throw new Error(`cluster ${c.level}.${c.id} has no ${kind} ${name}`);
  return d as Extract<FacetDistribution, { kind: K }>;
}

/** Facet filters, distributions, ranking and map colouring in real Chromium. */
describe.skipIf(!hasChromium)('facets in the explorer', () => {
  let doc: HierarchyDoc;
  let server: VizServer;
  let browser: Browser;
  let page: Page;
  let axeSource: string;
  const errors: string[] = [];

  beforeAll(async () => {
    const dist = await buildViewer(await mkdtemp(join(tmpdir(), 'clio-viewer-')));
    const [runs, launched] = await Promise.all([makeExplorerRuns(), launchChromium()]);
    browser = launched;
    // The offline demo answers no questions: its built-in facets plus two question facets.
    doc = withQuestionFacets(runs.demo);
    const dir = await mkdtemp(join(tmpdir(), 'clio-facets-'));
    await mkdir(join(dir, 'facets'));
    await writeFile(join(dir, 'facets', 'hierarchy.json'), JSON.stringify(doc));
    server = await startVizServer({ runs: await findRuns(dir), distDir: dist });
    axeSource = await readFile(AXE, 'utf8');
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (error) => errors.push(error.message));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  const open = async (hash: string) => {
    await page.goto(`${server.url}${hash}`);
    await page.locator('main h1').first().waitFor();
  };
  const annoyed = (item: ItemRecord) => item.facets?.mood === 'annoyed';
  const membersOf = (c: ClusterRecord) => doc.items.filter((i) => i.path[c.level] === c.id);
  const roots = () => doc.clusters.filter((c) => c.parent === null);
  const filterStatus = () => page.getByTestId('facet-filter-status').textContent();
  const axeProblems = async () => {
    await page.evaluate(axeSource);
    const violations = (await page.evaluate(async () => {
      const { axe } = globalThis as unknown as {
        axe: { run(o: object): Promise<{ violations: AxeViolation[] }> };
      };
      return (await axe.run({})).violations;
    })) as AxeViolation[];
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${JSON.stringify(v.nodes[0]?.target)}`);
  };

  it('filters the top-level clusters by a facet value, counting only matching items', async () => {
    await open('#run=facets');
    await Promise.all([SHOTS, IMAGES].map((dir) => mkdir(dir, { recursive: true })));
    await page.getByRole('combobox', { name: /Filter by facet/ }).selectOption('mood');
    await page.getByRole('combobox', { name: /^value/ }).selectOption('annoyed');
    const matching = doc.items.filter(annoyed).length;
    await expect
      .poll(filterStatus)
      .toBe(`${count(matching)} of ${count(doc.items.length)} items with mood is annoyed.`);
    expect(new URL(page.url()).hash).toContain('f=mood%3Dannoyed');
    const rows = page.getByTestId('cluster-row');
    expect(await rows.count()).toBe(roots().length);
    for (let i = 0; i < roots().length; i++) {
      const name = (await rows.nth(i).locator('.name').textContent()) ?? '';
      const root = roots().find((c) => c.name === name);
      if (!root) throw new Error(`no top-level cluster named ${name}`);
      const figures = (await rows.nth(i).locator('.figures').textContent()) ?? '';
      expect(figures.startsWith(`${count(membersOf(root).filter(annoyed).length)} · `)).toBe(true);
    }
    await page.screenshot({ path: join(SHOTS, 'facets-home.png') });
    expect(await axeProblems()).toEqual([]);
    // The filter stays on when a cluster opens.
    const firstName = await rows.first().locator('.name').textContent();
    const first = roots().find((c) => c.name === firstName);
    if (!first) throw new Error('no first top-level cluster');
    await rows.first().locator('a').click();
    await expect
      .poll(filterStatus)
      .toBe(
        `${count(membersOf(first).filter(annoyed).length)} of ${count(first.size)} items with mood is annoyed.`,
      );
  });

  it("lists only a cluster's matching members and shows its facet distributions", async () => {
    const c = doc.clusters
      .filter((c) => c.level === 1)
      .sort((a, b) => membersOf(b).filter(annoyed).length - membersOf(a).filter(annoyed).length)[0];
    if (!c) throw new Error('the demo has no level-1 cluster');
    await open(`#run=facets&c=1.${c.id}&f=mood%3Dannoyed`);
    const matching = membersOf(c).filter(annoyed);
    await expect
      .poll(filterStatus)
      .toBe(`${count(matching.length)} of ${count(c.size)} items with mood is annoyed.`);
    const pager = page.getByRole('navigation', { name: 'Member pages' }).first();
    await expect.poll(() => pager.textContent()).toContain(`of ${count(matching.length)}`);
    const ids = await page
      .getByTestId('member')
      .locator('.meta span:first-child')
      .allTextContents();
    const annoyedIds = new Set(matching.map((i) => i.id));
    expect(ids.every((id) => annoyedIds.has(id))).toBe(true);
    expect(ids).toHaveLength(Math.min(50, matching.length));
    // An opened member shows its own facet values.
    await page.getByTestId('member').first().getByRole('button').click();
    const opened = matching.find((i) => i.id === ids[0]);
    expect(await page.getByTestId('item-facets').textContent()).toBe(
      Object.entries(opened?.facets ?? {})
        .map(([name, value]) => `${name}: ${value}`)
        .join(' · '),
    );

    // The distributions are the cluster's own, from hierarchy.json.
    const mood = distribution(c, 'mood', 'category');
    const bars = page.locator('[data-facet=mood] [data-testid=facet-value]');
    expect(await bars.count()).toBe(Object.keys(mood.counts).length);
    for (const [value, n] of Object.entries(mood.counts)) {
      const bar = page.locator(`[data-facet=mood] [data-value="${value}"]`);
      const share = `${((100 * n) / c.size).toFixed(n / c.size < 0.1 ? 1 : 0)}%`;
      expect(await bar.locator('.figures').textContent()).toBe(`${count(n)} · ${share}`);
    }
    const frustration = distribution(c, 'frustration', 'scale');
    const answered = membersOf(c)
      .map((i) => i.facets?.frustration)
      .filter((v): v is number => typeof v === 'number');
    const mean = answered.reduce((a, b) => a + b, 0) / answered.length;
    expect(frustration.mean).toBeCloseTo(mean, 10);
    expect(
      await page.locator('[data-facet=frustration] [data-testid=facet-mean]').textContent(),
    ).toBe(`mean ${mean.toFixed(2)} over ${count(answered.length)} items`);
    await page.getByTestId('facet').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(IMAGES, 'explorer-facets.png') });
    const rects = page.locator('[data-facet=frustration] rect');
    const [lowest, highest] = [Math.min(...answered), Math.max(...answered)];
    expect(await rects.count()).toBe(highest - lowest + 1);
    for (let v = lowest; v <= highest; v++) {
      const bar = page.locator(`[data-facet=frustration] rect[data-value="${v}"]`);
      expect(Number(await bar.getAttribute('data-count'))).toBe(
        answered.filter((a) => a === v).length,
      );
    }
    expect(await axeProblems()).toEqual([]);
  });

  it('combines the facet filter with search', async () => {
    const word = (doc.items
      .find(annoyed)
      ?.summary.toLowerCase()
      .match(/[a-z]{5,}/) ?? [''])[0];
    await open(`#run=facets&q=${word}&f=mood%3Dannoyed`);
    const hits = doc.items.filter(
      (i) => annoyed(i) && `${i.summary}\n${i.id}`.toLowerCase().includes(word),
    );
    expect(hits.length).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('main h2').last().textContent())
      .toBe(`${count(hits.length)} item${hits.length === 1 ? '' : 's'}`);
  });

  it('ranks clusters by the mean of a scale facet', async () => {
    await open('#run=facets');
    await page.getByRole('combobox', { name: /Rank clusters by/ }).selectOption('frustration');
    const meanOf = (c: ClusterRecord) => distribution(c, 'frustration', 'scale').mean;
    const expected = [...roots()].sort((a, b) => meanOf(b) - meanOf(a)).map((c) => c.name);
    await expect
      .poll(() => page.getByTestId('cluster-row').locator('.name').allTextContents())
      .toEqual(expected);
    const first = roots().find((c) => c.name === expected[0]) as ClusterRecord;
    expect(
      await page.getByTestId('cluster-row').first().locator('.list-figure').textContent(),
    ).toBe(`mean frustration ${meanOf(first).toFixed(2)}`);
  });

  it('adds the ranking facet to the cluster table, sorted by it', async () => {
    await open('#run=facets&view=table&rank=frustration');
    const table = page.getByTestId('cluster-table');
    await table.waitFor();
    const headings = await table.locator('thead th').allTextContents();
    expect(headings.at(-1)).toContain('mean frustration');
    const rows = page.getByTestId('table-row');
    const shown = await rows.evaluateAll((trs) =>
      trs.map((tr) => {
        const cells = (tr as unknown as { cells: { textContent: string | null }[] }).cells;
        return cells[cells.length - 1]?.textContent ?? '';
      }),
    );
    const means = doc.clusters
      .map((c) => distribution(c, 'frustration', 'scale').mean)
      .sort((a, b) => b - a)
      .slice(0, shown.length)
      .map((m) => m.toFixed(2));
    expect(shown).toEqual(means);
  });

  it('colours the map by the share of a category value, with a legend', async () => {
    // Dots whose blue clearly beats their red: the top-level palette's blues, never the ramp.
    const bluish = () =>
      page.getByTestId('map-canvas').evaluate((element: PageCanvas) => {
        const context = element.getContext('2d');
        if (!context) return -1;
        const { data } = context.getImageData(0, 0, element.width, element.height);
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
          if ((data[i + 2] as number) > (data[i] as number) + 30) n++;
        }
        return n;
      });
    const drawn = () =>
      page
        .getByTestId('map-canvas')
        .evaluate((e: PageCanvas & { getAttribute(n: string): string }) =>
          Number(e.getAttribute('data-drawn')),
        );
    await open('#run=facets&view=map');
    await expect.poll(drawn).toBeGreaterThan(0);
    expect(await bluish()).toBeGreaterThan(0);
    await page.getByRole('combobox', { name: /Colour by/ }).selectOption('mood=calm');
    await expect
      .poll(() => page.getByTestId('map-canvas').getAttribute('data-colour'))
      .toBe('mood=calm');
    await expect.poll(bluish).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'facets-map.png'), fullPage: true });
    const legend = (await page.getByTestId('facet-legend').textContent()) ?? '';
    const shares = doc.clusters
      .filter((c) => c.level === 0)
      .map((c) => membersOf(c).filter((i) => i.facets?.mood === 'calm').length / c.size);
    const pct = (v: number) => `${Math.round(100 * v)}%`;
    expect(legend).toContain(
      `share with mood calm, from ${pct(Math.min(...shares))} to ${pct(Math.max(...shares))}`,
    );
    expect(await axeProblems()).toEqual([]);
  });

  it('fits a phone: no sideways scrolling on the facet screens', async () => {
    const c = doc.clusters.find((c) => c.level === 1) as ClusterRecord;
    for (const width of [390, 320]) {
      await page.setViewportSize({ width, height: 800 });
      for (const hash of [
        '#run=facets&f=frustration%3D2..4&rank=mood%3Dcalm',
        `#run=facets&c=1.${c.id}&f=mood%3Dcalm`,
        '#run=facets&view=map&colour=frustration',
      ]) {
        await open(hash);
        await expect.poll(filterStatus).toMatch(/ items with |^$/);
        const sideways = await page.evaluate(() => {
          const { documentElement } = (globalThis as unknown as PageGlobals).document;
          return documentElement.scrollWidth - documentElement.clientWidth;
        });
        expect(sideways, `${hash} at ${width} px`).toBeLessThanOrEqual(0);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(errors).toEqual([]);
  });
});
