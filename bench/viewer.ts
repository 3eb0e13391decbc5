import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meanVector } from '../lib/cluster/vectors.js';
import { projectItems } from '../lib/output/projection.js';
import { buildViewer } from '../lib/viz/bundle.js';
import type { VizIndex } from '../lib/viz/format.js';
import { findRuns } from '../lib/viz/runs.js';
import { startVizServer } from '../lib/viz/server.js';
import { hasChromium, launchChromium, type PageGlobals } from '../test/e2e/browser.js';
import { syntheticHierarchy } from '../test/e2e/synthetic.js';
import { blobVectors } from '../test/helpers/blobs.js';

const ITEMS = 100_000;
const HIERARCHY = [316, 40, 8];

interface LongTasks {
  __longest?: number;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const megabytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(2)} MB`;

/**
 * `npm run bench -- viewer`: a synthetic 100k-item run served by `open-clio viz`'s server and
 * opened in headless Chromium. Prints the time to prepare the data, to the first meaningful
 * render (top-level clusters listed), to open a 10k-member cluster, a deep page of it, the map
 * and a search over every summary, with the longest main-thread task of each step.
 */
export async function runViewerBench(): Promise<void> {
  if (!hasChromium) {
    process.stdout.write('viewer bench: no Chromium at /usr/bin/chromium (set CHROMIUM_PATH)\n');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'clio-viewer-bench-'));
  try {
    let t = performance.now();
    const doc = syntheticHierarchy({ items: ITEMS, hierarchy: HIERARCHY });
    await mkdir(join(dir, 'runs', 'synthetic'), { recursive: true });
    const file = join(dir, 'runs', 'synthetic', 'hierarchy.json');
    await writeFile(file, JSON.stringify(doc));
    const made = performance.now() - t;
    const dist = await buildViewer(join(dir, 'dist'));

    t = performance.now();
    const server = await startVizServer({ runs: await findRuns(join(dir, 'runs')), distDir: dist });
    await server.warm('synthetic');
    const prepared = performance.now() - t;
    const sizes = await downloadSizes(server.url);

    const browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Long tasks (over 50 ms) are what makes a page feel stuck; keep the longest per step.
    await page.addInitScript(() => {
      const globals = globalThis as unknown as LongTasks & {
        PerformanceObserver: new (
          cb: (list: { getEntries(): { duration: number }[] }) => void,
        ) => { observe(o: object): void };
      };
      globals.__longest = 0;
      new globals.PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          globals.__longest = Math.max(globals.__longest ?? 0, e.duration);
        }
      }).observe({ type: 'longtask', buffered: true });
    });
    const longest = async () =>
      page.evaluate(() => {
        const globals = globalThis as unknown as LongTasks;
        const value = globals.__longest ?? 0;
        globals.__longest = 0;
        return value;
      });
    const step = async (work: () => Promise<unknown>) => {
      await longest();
      const start = performance.now();
      await work();
      return { ms: performance.now() - start, longTask: await longest() };
    };

    const base = `${server.url}#run=synthetic`;
    const first = await step(async () => {
      await page.goto(base);
      await page.getByTestId('cluster-row').first().waitFor();
    });
    const index = (await (
      await fetch(`${server.url}data/synthetic/index.json`)
    ).json()) as VizIndex;
    const big = index.clusters.filter((c) => c.size >= 10_000).sort((a, b) => a.size - b.size)[0];
    if (!big) throw new Error('the synthetic run has no cluster of 10k members');
    const cluster = await step(async () => {
      await page.getByRole('link', { name: big.name }).first().click();
      await page.getByTestId('member').first().waitFor();
    });
    const deep = await step(async () => {
      await page.goto(`${base}&c=${big.level}.${big.id}&page=150`);
      await page.getByText('page 150 of').first().waitFor();
      await page.getByTestId('member').first().waitFor();
    });
    const map = await step(async () => {
      await page.goto(`${base}&view=map`);
      await page.waitForFunction(() =>
        Number(
          (globalThis as unknown as PageGlobals).document
            .querySelector('[data-testid=map-canvas]')
            ?.getAttribute('data-drawn'),
        ),
      );
    });
    const hierarchy = await step(async () => {
      await page.goto(`${base}&view=hierarchy`);
      await page.getByTestId('hierarchy-cell').first().waitFor();
    });
    const table = await step(async () => {
      await page.goto(`${base}&view=table`);
      await page.getByTestId('table-row').first().waitFor();
    });
    // The first request of insight.json makes it for the whole run (terms, neighbours, labels).
    const why = await step(async () => {
      await page.goto(`${base}&c=${big.level}.${big.id}`);
      await page.getByTestId('why').locator('summary').click();
      await page.getByTestId('why-terms').waitFor({ timeout: 60_000 });
    });
    const search = await step(async () => {
      await page.goto(`${base}&q=refund%20crash`);
      await page.getByText(/^[\d,]+ items?$/).waitFor({ timeout: 60_000 });
    });
    await browser.close();
    await server.close();

    const firstGoalMs = 1000;
    const rows: [string, string, string, string?][] = [
      [
        'first meaningful render (top-level list)',
        seconds(first.ms),
        seconds(first.longTask),
        `goal ≤ ${seconds(firstGoalMs)}: ${first.ms <= firstGoalMs ? 'met' : 'MISSED'}`,
      ],
      [
        `open a ${big.size.toLocaleString('en')}-member cluster`,
        seconds(cluster.ms),
        seconds(cluster.longTask),
      ],
      ['deep link to page 150 of it', seconds(deep.ms), seconds(deep.longTask)],
      [`map of ${ITEMS.toLocaleString('en')} points`, seconds(map.ms), seconds(map.longTask)],
      ['hierarchy view (icicle, every level)', seconds(hierarchy.ms), seconds(hierarchy.longTask)],
      ['cluster table (every cluster)', seconds(table.ms), seconds(table.longTask)],
      ['"why this cluster" (first: makes insight)', seconds(why.ms), seconds(why.longTask)],
      ['search every summary (2 terms)', seconds(search.ms), seconds(search.longTask)],
    ];
    const out = [
      `\nViewer: synthetic run of ${ITEMS.toLocaleString('en')} items, hierarchy ${HIERARCHY.join(' → ')}`,
      `  hierarchy.json ${megabytes((await stat(file)).size)} (made in ${seconds(made)}); server read + prepare ${seconds(prepared)}`,
      `  first download: index.json ${megabytes(sizes.index.raw)} (${megabytes(sizes.index.sent)} brotli), points.bin ${megabytes(sizes.points.raw)} (${megabytes(sizes.points.sent)}), bundle ${megabytes(sizes.bundle.raw)} (${megabytes(sizes.bundle.sent)}); one item chunk ${megabytes(sizes.chunk.raw)} (${megabytes(sizes.chunk.sent)})`,
      '',
      `  ${'step'.padEnd(44)} ${'wall'.padStart(8)}  longest task`,
      ...rows.map(
        ([name, wall, task, goal]) =>
          `  ${name.padEnd(44)} ${wall.padStart(8)}  ${task.padStart(8)}${goal ? `  ${goal}` : ''}`,
      ),
    ];
    process.stdout.write(`${out.join('\n')}\n`);
    process.stdout.write(`${projectionFigure()}\n`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The pipeline's map stage at the same scale: 100k unit vectors of 512-d in 316 clusters. */
function projectionFigure(): string {
  const groups = HIERARCHY[0] as number;
  const { vectors, truth } = blobVectors(groups, Math.ceil(ITEMS / groups), 512, 3);
  const members = Array.from({ length: groups }, () => [] as number[]);
  truth.forEach((g, i) => {
    members[g]?.push(i);
  });
  const base = members.map((itemIndices) => ({
    itemIndices,
    centroid: meanVector(vectors, itemIndices),
  }));
  const start = performance.now();
  const { info } = projectItems(vectors, base, { seed: 42 });
  const took = performance.now() - start;
  return `  2-D map in the pipeline for ${vectors.length.toLocaleString('en')} items × 512-d: ${seconds(took)} (UMAP on ${info.anchors} anchors, the rest placed)`;
}

interface Size {
  /** Bytes of the file. */
  readonly raw: number;
  /** Bytes on the wire to a browser that accepts brotli. */
  readonly sent: number;
}

async function downloadSizes(url: string) {
  const size = async (path: string): Promise<Size> => {
    const response = await fetch(url + path, { headers: { 'accept-encoding': 'br, gzip' } });
    const raw = (await response.arrayBuffer()).byteLength;
    return { raw, sent: Number(response.headers.get('content-length') ?? raw) };
  };
  const html = await (await fetch(url)).text();
  const assets = [...html.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map(
    (m) => m[1] as string,
  );
  const bundle = [await size(''), ...(await Promise.all(assets.map(size)))].reduce(
    (a, b) => ({ raw: a.raw + b.raw, sent: a.sent + b.sent }),
    { raw: 0, sent: 0 },
  );
  return {
    index: await size('data/synthetic/index.json'),
    points: await size('data/synthetic/points.bin'),
    chunk: await size('data/synthetic/items/0.json'),
    bundle,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) await runViewerBench();
