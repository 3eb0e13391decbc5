import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterRecord, HierarchyDoc } from '../../lib/output/hierarchy-schema.js';
import { buildViewer } from '../../lib/viz/bundle.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import { hasChromium, launchChromium } from './browser.js';
import { type ExplorerRuns, makeExplorerRuns } from './fixture.js';

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** A name as long as an LLM or a keyword list sometimes makes one, with an unbreakable run. */
const LONG_NAME =
  'Customers who cannot reach the billing portal after the single sign-on migration because ' +
  'their identity-provider-assertion-consumer-service-url-was-rotated-without-notice and ' +
  'invoices stopped arriving';

/**
 * The demo with its largest top-level cluster renamed to LONG_NAME and reduced to one child of
 * the same name (the rest move to the next top-level cluster): a single-child chain.
 */
function longNamed(doc: HierarchyDoc): { doc: HierarchyDoc; top: ClusterRecord } {
  const level = Math.max(...doc.clusters.map((c) => c.level));
  const roots = doc.clusters.filter((c) => c.level === level).sort((a, b) => b.size - a.size);
  const [top, other] = roots as [ClusterRecord, ClusterRecord];
  // The child with the most children stays, so the chain ends in a list worth showing.
  const children = (id: number) => doc.clusters.find((c) => c.level === level - 1 && c.id === id);
  const [kept, ...moved] = [...top.children].sort(
    (a, b) => (children(b)?.children.length ?? 0) - (children(a)?.children.length ?? 0),
  );
  const clusters = doc.clusters.map((c) => {
    if (c === top) return { ...c, name: LONG_NAME, children: [kept as number] };
    if (c === other) return { ...c, children: [...c.children, ...moved] };
    if (c.level === level - 1 && c.id === kept) return { ...c, name: LONG_NAME };
    if (c.level === level - 1 && moved.includes(c.id)) return { ...c, parent: other.id };
    return c;
  });
  const items = doc.items.map((item) =>
    moved.includes(item.path[level - 1] as number)
      ? { ...item, path: item.path.map((id, l) => (l === level ? other.id : id)) }
      : item,
  );
  return { doc: { ...doc, clusters, items }, top: { ...top, name: LONG_NAME } };
}

interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly nodes: readonly { readonly target: readonly unknown[] }[];
}

/** The defects of issue 16, each checked the way a user (or their assistive technology) meets it. */
describe.skipIf(!hasChromium)(
  'the explorer: focus, phones, accessibility, content, transfer',
  () => {
    let runs: ExplorerRuns;
    let long: { doc: HierarchyDoc; top: ClusterRecord };
    let server: VizServer;
    let single: VizServer;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      const dist = await buildViewer(await mkdtemp(join(tmpdir(), 'clio-viewer-')));
      [runs, browser] = await Promise.all([makeExplorerRuns(), launchChromium()]);
      long = longNamed(runs.demo);
      await mkdir(join(runs.dir, 'long'), { recursive: true });
      await writeFile(join(runs.dir, 'long', 'hierarchy.json'), JSON.stringify(long.doc));
      const found = await findRuns(runs.dir);
      server = await startVizServer({ runs: found, distDir: dist });
      single = await startVizServer({ runs: found.filter((r) => r.key === 'demo'), distDir: dist });
      page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await server?.close();
      await single?.close();
    });

    const open = async (hash: string, base = server.url) => {
      await page.goto(`${base}${hash}`);
      await page.locator('main h1').first().waitFor();
    };
    const heading = async () => (await page.locator('main h1').first().textContent()) ?? '';
    const active = () =>
      page.evaluate(() => {
        const { document, innerHeight } = globalThis as unknown as {
          document: {
            activeElement: {
              tagName: string;
              textContent: string | null;
              getBoundingClientRect(): { top: number; bottom: number };
            } | null;
          };
          innerHeight: number;
        };
        const element = document.activeElement;
        const box = element?.getBoundingClientRect();
        return {
          tag: element?.tagName.toLowerCase() ?? '',
          text: element?.textContent?.trim() ?? '',
          onScreen: box ? box.bottom > 0 && box.top < innerHeight : false,
        };
      });
    const sideways = () =>
      page.evaluate(() => {
        const { documentElement } = (
          globalThis as unknown as {
            document: { documentElement: { scrollWidth: number; clientWidth: number } };
          }
        ).document;
        return documentElement.scrollWidth - documentElement.clientWidth;
      });
    const bigCluster = () => {
      const c = runs.demo.clusters
        .filter((c) => c.level === 1 && c.size > 110)
        .sort((a, b) => a.size - b.size)[0];
      if (!c) throw new Error('the demo has no level-1 cluster of three pages');
      return c;
    };

    describe('1. pager focus', () => {
      it('keeps focus on "Next" (or the list), never on "First"; the bottom pager keeps it on screen', async () => {
        const c = bigCluster();
        await open(`#run=demo&c=1.${c.id}`);
        const top = page.getByRole('navigation', { name: /member pages/i }).first();
        await top.getByRole('link', { name: 'Next ›' }).focus();
        await page.keyboard.press('Enter');
        await page.waitForURL(/page=2/);
        await page.getByTestId('member').first().waitFor();
        expect((await active()).text).not.toBe('« First');
        await page.keyboard.press('Enter');
        await page.waitForTimeout(200);
        expect(page.url()).not.toMatch(/#[^#]*page=1\b/);
        expect(page.url()).toMatch(/page=[23]/);

        await open(`#run=demo&c=1.${c.id}&page=2`);
        const bottom = page.getByRole('navigation', { name: /member pages/i }).last();
        await bottom.getByRole('link', { name: '‹ Previous' }).focus();
        await page.keyboard.press('Enter');
        await page.waitForURL((url) => !/page=2/.test(url.hash));
        await page.getByTestId('member').first().waitFor();
        // Focus moves once the new page has rendered, which can be a frame after its rows appear.
        await expect.poll(async () => (await active()).tag).not.toBe('body');
        expect((await active()).onScreen).toBe(true);
      });
    });

    describe('2. compare on phones', () => {
      for (const width of [390, 320]) {
        it(`reflows the comparison at ${width} px: names readable, no sideways scrolling`, async () => {
          await page.setViewportSize({ width, height: 844 });
          await open('#run=long&view=compare&vs=demo&all=1');
          await page.getByTestId('change-row').first().waitFor();
          const widths = await page
            .getByTestId('change-row')
            .locator('td:nth-child(2)')
            .evaluateAll((cells) =>
              cells.map(
                (a) =>
                  (
                    a as unknown as { getBoundingClientRect(): { width: number } }
                  ).getBoundingClientRect().width,
              ),
            );
          expect(Math.min(...widths)).toBeGreaterThan(width / 2);
          expect(await sideways()).toBeLessThanOrEqual(0);
          expect(await page.getByTestId('change-row').first().textContent()).toMatch(/pp/);
          await page.setViewportSize({ width: 1280, height: 800 });
        });
      }
    });

    describe('3. focus and announcements', () => {
      it('moves focus to the new heading when the content it was on goes away', async () => {
        const c = bigCluster();
        await open(`#run=demo&c=1.${c.id}`);
        await page
          .getByRole('navigation', { name: 'Breadcrumb' })
          .getByText('All clusters')
          .click();
        await expect.poll(heading).toBe('Top-level clusters');
        await expect.poll(async () => (await active()).tag).toBe('h1');

        await open('#run=demo&view=treemap');
        // The top strip is the outer box's own; the rest is covered by its children.
        await page
          .locator('.treemap svg a')
          .first()
          .click({ position: { x: 12, y: 8 } });
        await page.waitForURL(/c=/);
        await expect.poll(async () => (await active()).tag).toBe('h1');

        await open('#run=demo');
        await page.getByRole('searchbox').fill('refund');
        await page.getByTestId('item-hit').first().waitFor();
        await page.getByTestId('cluster-hit').first().getByRole('link').click();
        await page.waitForURL((url) => !url.hash.includes('q='));
        await page.goBack();
        await page.getByTestId('item-hit').first().waitFor();
        await expect.poll(async () => (await active()).tag).toBe('h1');
      });

      it('names each screen in the title and announces the number of search results', async () => {
        await open('#run=demo');
        const home = await page.title();
        const c = bigCluster();
        await open(`#run=demo&c=1.${c.id}`);
        expect(await page.title()).toContain(c.name);
        expect(await page.title()).not.toBe(home);
        await open('#run=demo&q=refund');
        const status = page.getByRole('status');
        await expect
          .poll(async () => (await status.allTextContents()).join(' '))
          .toMatch(/\d+ clusters? and [\d,]+ items? match/);
      });

      it('closes an open item with Escape, keeping focus on it', async () => {
        const base = runs.demo.clusters.find((c) => c.level === 0) as ClusterRecord;
        await open(`#run=demo&c=0.${base.id}`);
        const button = page.getByTestId('member').first().getByRole('button');
        await button.click();
        await page.getByTestId('item-detail').waitFor();
        await page.keyboard.press('Escape');
        await page.getByTestId('item-detail').waitFor({ state: 'detached' });
        expect(page.url()).not.toContain('item=');
        await expect.poll(async () => (await active()).tag).toBe('button');
      });
    });

    describe('4. long names', () => {
      it('wraps and clamps a long name on a phone, with the full name at hand', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        const kept = long.top.children[0];
        await open(`#run=long&c=1.${kept}`);
        expect(await sideways()).toBeLessThanOrEqual(0);
        const lines = await page.evaluate(() => {
          const { document, getComputedStyle } = globalThis as unknown as {
            document: {
              querySelectorAll(s: string): ArrayLike<{
                clientHeight: number;
                getAttribute(n: string): string | null;
                closest(s: string): { getAttribute(n: string): string | null } | null;
              }>;
            };
            getComputedStyle(e: unknown): { lineHeight: string };
          };
          return Array.from(document.querySelectorAll('main h1, .breadcrumb a')).map((e) => ({
            lines: e.clientHeight / Number.parseFloat(getComputedStyle(e).lineHeight),
            title: e.getAttribute('title') ?? e.closest('[title]')?.getAttribute('title') ?? '',
          }));
        });
        for (const { lines: n, title } of lines) {
          expect(n).toBeLessThanOrEqual(3.2);
          if (n > 1.5) expect(title).toBe(LONG_NAME);
        }
        for (const hash of ['#run=long', '#run=long&view=treemap']) {
          await open(hash);
          expect(await sideways(), hash).toBeLessThanOrEqual(0);
        }
        const row = page.getByTestId('cluster-row').filter({ hasText: 'Customers who' });
        await open('#run=long');
        const name = row.locator('.name');
        expect(await name.getAttribute('title')).toBe(LONG_NAME);
        const box = await name.evaluate((e) => {
          const el = e as unknown as { clientHeight: number };
          const style = (
            globalThis as unknown as { getComputedStyle(e: unknown): { lineHeight: string } }
          ).getComputedStyle(e);
          return el.clientHeight / Number.parseFloat(style.lineHeight);
        });
        expect(box).toBeLessThanOrEqual(2.2);
        await page.setViewportSize({ width: 1280, height: 800 });
      });
    });

    describe('5. search history', () => {
      it('keeps the cluster in Back and offers to search inside it', async () => {
        const c = bigCluster();
        await open(`#run=demo&c=1.${c.id}`);
        await page.getByRole('searchbox').fill('the');
        await page.getByTestId('item-hit').first().waitFor();
        const within = page.getByRole('link', { name: /search only in/i });
        await within.click();
        await page.waitForURL(/in=1/);
        await expect
          .poll(async () => page.locator('.search-results').textContent())
          .toContain(`in “${c.name}”`);
        const ids = new Set(
          runs.demo.items.filter((i) => i.path[1] === c.id).map((i) => i.id as string),
        );
        const shown = await page.getByTestId('item-hit').locator('.muted').allTextContents();
        expect(shown.length).toBeGreaterThan(0);
        for (const text of shown) expect(ids.has(text.trim().split(' ')[0] ?? '')).toBe(true);
        await page.goBack();
        await page.goBack();
        await expect.poll(heading).toContain(c.name);
      });
    });

    describe('6. treemap on phones, colour and contrast', () => {
      const contrast = (a: string, b: string) => {
        const channel = (v: number) => {
          const s = v / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        };
        const luminance = (rgb: string) => {
          const [r = 0, g = 0, b = 0] = (rgb.match(/[\d.]+/g) ?? []).map(Number);
          return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
        };
        const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
        return (hi + 0.05) / (lo + 0.05);
      };

      it('keeps the share visible on a phone and gives zoomed-in children their own colours', async () => {
        await page.setViewportSize({ width: 390, height: 844 });
        await open('#run=demo&view=treemap');
        const labels = await page.locator('.treemap svg text').allTextContents();
        expect(labels.length).toBeGreaterThan(0);
        for (const label of labels) expect(label).toMatch(/%/);
        await page.setViewportSize({ width: 1280, height: 800 });
        const top = runs.demo.clusters.find((c) => c.parent === null && c.children.length > 1);
        await open(`#run=demo&view=treemap&c=${top?.level}.${top?.id}`);
        const fills = await page
          .locator('.treemap rect.outer')
          .evaluateAll((rects) =>
            rects.map((r) =>
              (r as unknown as { getAttribute(n: string): string }).getAttribute('fill'),
            ),
          );
        expect(new Set(fills).size).toBe(fills.length);
      });

      it('draws labels at 4.5:1 and a focus ring at 3:1', async () => {
        await open('#run=demo&view=treemap');
        const pairs = await page.locator('.treemap svg text').evaluateAll((texts) =>
          texts.map((t) => {
            const { getComputedStyle } = globalThis as unknown as {
              getComputedStyle(e: unknown): { fill: string; fillOpacity: string };
            };
            const rect = (
              t as unknown as { parentElement: { querySelector(s: string): unknown } }
            ).parentElement.querySelector('rect');
            const style = getComputedStyle(rect);
            const opacity = Number(style.fillOpacity);
            // The rectangle's colour as painted over the white page.
            const [r = 0, g = 0, b = 0] = (style.fill.match(/[\d.]+/g) ?? []).map(Number);
            const over = (v: number) => Math.round(v * opacity + 255 * (1 - opacity));
            return {
              text: getComputedStyle(t).fill,
              back: `rgb(${over(r)},${over(g)},${over(b)})`,
            };
          }),
        );
        expect(pairs.length).toBeGreaterThan(0);
        for (const { text, back } of pairs) {
          expect(contrast(text, back), `${text} on ${back}`).toBeGreaterThanOrEqual(4.5);
        }
        await open('#run=demo');
        await page.keyboard.press('Tab');
        const ring = await page.evaluate(() => {
          const { document, getComputedStyle } = globalThis as unknown as {
            document: { activeElement: unknown };
            getComputedStyle(e: unknown): { outlineColor: string };
          };
          return getComputedStyle(document.activeElement).outlineColor;
        });
        expect(contrast(ring, 'rgb(255,255,255)')).toBeGreaterThanOrEqual(3);
        expect(contrast(ring, 'rgb(244,246,249)')).toBeGreaterThanOrEqual(3);
      });
    });

    describe('7. content', () => {
      it('says so when a search finds nothing, instead of two empty headings', async () => {
        await open('#run=demo&q=zzqxjv');
        await expect.poll(() => page.locator('.search-results').textContent()).toMatch(/nothing/i);
        expect(await page.locator('.search-results h2').count()).toBe(0);
      });

      it('shows run figures in words and short times in milliseconds', async () => {
        await open('#run=demo&view=run');
        const table = (await page.locator('main').textContent()) ?? '';
        expect(table).not.toContain('inputTokens');
        expect(table).toContain('input tokens');
        const fast = Object.entries(runs.demo.run.timingsMs).filter(([, ms]) => ms < 50);
        expect(fast.length).toBeGreaterThan(0);
        expect(table).not.toMatch(/\b0\.0 s\b/);
      });

      it('shows a conversation as turns with roles, the raw text one click away', async () => {
        const base = runs.demo.clusters.find((c) => c.level === 0) as ClusterRecord;
        await open(`#run=demo&c=0.${base.id}`);
        await page.getByTestId('member').first().getByRole('button').click();
        const detail = page.getByTestId('item-detail');
        await detail.waitFor();
        const turns = detail.getByTestId('turn');
        expect(await turns.count()).toBeGreaterThan(1);
        expect(await turns.first().locator('.role').textContent()).toMatch(/^(User|Assistant)$/);
      });

      it('explains offline names and names a single-child chain once', async () => {
        await open('#run=long');
        expect(await page.locator('main').textContent()).toMatch(/named offline/i);
        await open(`#run=long&c=${long.top.level}.${long.top.id}`);
        const crumbs = await page
          .getByRole('navigation', { name: 'Breadcrumb' })
          .getByRole('link')
          .allTextContents();
        expect(crumbs.filter((t) => t === LONG_NAME).length).toBe(1);
        // The one child of the same name is not a step of its own: its children are listed.
        expect(await page.locator('main').textContent()).not.toMatch(/\b1 child cluster\b/);
        expect(await page.getByTestId('cluster-row').count()).toBeGreaterThan(1);
      });

      it('keeps "Show unchanged clusters" in the link', async () => {
        await open('#run=long&view=compare&vs=demo');
        await page.getByLabel('Show unchanged clusters').check();
        await page.waitForURL(/all=1/);
        await page.reload();
        await page.locator('main h1').waitFor();
        expect(await page.getByLabel('Show unchanged clusters').isChecked()).toBe(true);
      });

      it('says when the link names a run or an item that is not there', async () => {
        await open('#run=nope', single.url);
        expect(await page.locator('main').textContent()).toContain('no run “nope”');
        const base = runs.demo.clusters.find((c) => c.level === 0) as ClusterRecord;
        await open(`#run=demo&c=0.${base.id}&item=nope`);
        await expect.poll(() => page.locator('main').textContent()).toContain('“nope”');
      });
    });

    describe('8. transfer', () => {
      it('compresses the bundle and the data', async () => {
        const html = await (await fetch(server.url)).text();
        const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1] as string;
        for (const path of [script, 'data/demo/index.json', 'data/demo/items/0.json']) {
          const plain = await fetch(server.url + path, {
            headers: { 'accept-encoding': 'identity' },
          });
          const packed = await fetch(server.url + path, {
            headers: { 'accept-encoding': 'gzip, deflate, br' },
          });
          expect(packed.headers.get('content-encoding'), path).toMatch(/^(br|gzip)$/);
          expect(packed.headers.get('vary'), path).toMatch(/accept-encoding/i);
          const raw = await plain.arrayBuffer();
          expect(Number(packed.headers.get('content-length')), path).toBeLessThan(
            raw.byteLength / 2,
          );
          expect((await packed.text()).length, path).toBe(new TextDecoder().decode(raw).length);
        }
      });

      it('downloads about one page of items for a page, and the index beside runs.json', async () => {
        const items: number[] = [];
        page.on('response', async (response) => {
          if (/\/items\/\d+\.json$/.test(response.url())) {
            items.push(((await response.json()) as unknown[]).length);
          }
        });
        await open(`#run=demo&c=1.${bigCluster().id}`);
        await page.getByTestId('member').first().waitFor();
        expect(items.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(100);

        const order: string[] = [];
        await page.route('**/data/runs.json', async (route) => {
          await new Promise((ok) => setTimeout(ok, 400));
          order.push('runs.json answered');
          await route.continue();
        });
        page.on('request', (request) => {
          if (request.url().endsWith('/index.json')) order.push('index.json asked');
        });
        // A fresh document: a new hash on the same page would load nothing.
        await page.goto('about:blank');
        await page.goto(`${server.url}#run=demo&view=run`);
        await page.locator('main h1').waitFor();
        await page.unroute('**/data/runs.json');
        expect(order.indexOf('index.json asked')).toBeLessThan(order.indexOf('runs.json answered'));
      });
    });

    describe('every view', () => {
      const views = (): [string, string, (() => Promise<void>)?][] => {
        const c = bigCluster();
        const base = runs.demo.clusters.find((k) => k.level === 0) as ClusterRecord;
        return [
          ['run picker', ''],
          ['overview', '#run=demo'],
          ['cluster page', `#run=demo&c=1.${c.id}`],
          ['long names', `#run=long&c=${long.top.level}.${long.top.id}`],
          ['all clusters (treemap)', '#run=demo&view=treemap'],
          ['treemap', `#run=demo&view=treemap&c=1.${c.id}`],
          ['search', '#run=demo&q=refund', () => page.getByTestId('item-hit').first().waitFor()],
          ['no hits', '#run=demo&q=zzqxjv'],
          [
            'item',
            `#run=demo&c=0.${base.id}`,
            async () => {
              await page.getByTestId('member').first().getByRole('button').click();
              await page.getByTestId('item-detail').waitFor();
            },
          ],
          [
            'compare',
            '#run=long&view=compare&vs=demo&all=1',
            () => page.getByTestId('change-row').first().waitFor(),
          ],
          ['run tab', '#run=demo&view=run'],
        ];
      };

      for (const [width, height] of [
        [1280, 800],
        [390, 844],
        [320, 640],
      ] as const) {
        it(`has no serious or critical axe violation and no sideways scrolling at ${width} px`, async () => {
          await page.setViewportSize({ width, height });
          const found: string[] = [];
          for (const [name, hash, ready] of views()) {
            await open(hash);
            await ready?.();
            await page.waitForTimeout(150);
            if ((await sideways()) > 0) found.push(`${name}: scrolls sideways`);
            if (width === 320) continue;
            // Evaluated rather than added as a <script>: the explorer's CSP rightly blocks inline ones.
            await page.evaluate(AXE);
            const violations = (await page.evaluate(async () => {
              const { axe } = globalThis as unknown as {
                axe: { run(o: object): Promise<{ violations: AxeViolation[] }> };
              };
              const result = await axe.run({
                rules: { 'label-content-name-mismatch': { enabled: true } },
              });
              return result.violations;
            })) as AxeViolation[];
            for (const v of violations) {
              if (v.impact === 'serious' || v.impact === 'critical') {
                found.push(
                  `${name}: ${v.id} (${v.impact}) at ${JSON.stringify(v.nodes[0]?.target)}`,
                );
              }
            }
          }
          await page.setViewportSize({ width: 1280, height: 800 });
          expect(found).toEqual([]);
        }, 120_000);
      }
    });
  },
);
