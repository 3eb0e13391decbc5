import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { vizAfterGenerate } from '../../lib/cli/viz-command.js';
import { canOpenBrowser } from '../../lib/viz/bundle.js';
import type { VizIndex, VizItem, VizRuns, VizSearchShard } from '../../lib/viz/format.js';
import { prepareVizData, vizFile, vizFilePaths } from '../../lib/viz/prepare.js';
import { findRuns } from '../../lib/viz/runs.js';
import { startVizServer, type VizServer } from '../../lib/viz/server.js';
import { syntheticHierarchy } from './synthetic.js';

const doc = syntheticHierarchy({ items: 2_345, hierarchy: [30, 8, 3], previewChars: 80 });
const text = (body: string | Uint8Array | undefined) => String(body);

describe('prepareVizData', () => {
  const data = prepareVizData(doc, { chunkSize: 100, searchShardSize: 1000 });
  const { index } = data;

  it('lays items out so every cluster of every level is one contiguous range', () => {
    expect(index.clusters).toHaveLength(doc.clusters.length);
    for (const cluster of index.clusters) {
      const members = data.items.slice(cluster.start, cluster.start + cluster.size);
      expect(members.every((item) => item.path[cluster.level] === cluster.id)).toBe(true);
      const original = doc.clusters.find((c) => c.level === cluster.level && c.id === cluster.id);
      expect(cluster.size).toBe(original?.size);
    }
    // Largest top-level cluster first, children largest first.
    const top = index.clusters.filter((c) => c.level === 2);
    expect(top.map((c) => c.size)).toEqual([...top.map((c) => c.size)].sort((a, b) => b - a));
  });

  it('keeps the index small and serves every item once through the chunks', () => {
    const body = text(vizFile(data, 'index.json'));
    expect(body).not.toContain((doc.items[0] as { summary: string }).summary);
    expect(body.length).toBeLessThan(30_000);
    const paths = vizFilePaths(data);
    const chunks = paths.filter((p) => p.startsWith('items/'));
    expect(chunks).toHaveLength(24);
    const ids = chunks.flatMap((p) =>
      (JSON.parse(text(vizFile(data, p))) as VizItem[]).map((i) => i.id),
    );
    expect(new Set(ids).size).toBe(doc.items.length);
    const shard = JSON.parse(text(vizFile(data, 'search/2.json'))) as VizSearchShard;
    expect(shard.summaries).toHaveLength(345);
    expect(data.points?.byteLength).toBe(4 * doc.items.length);
    for (const path of ['items/24.json', 'search/3.json', '../hierarchy.json', 'items/x.json']) {
      expect(vizFile(data, path)).toBeUndefined();
    }
  });

  it('has no map for runs made before maps, and caps the failures it carries', () => {
    const failures = Array.from({ length: 500 }, (_, i) => ({
      stage: 'summarize' as const,
      id: `i${i}`,
      reason: 'no',
    }));
    const { map: _map, ...old } = doc;
    const prepared = prepareVizData({ ...old, run: { ...doc.run, failures } });
    expect(prepared.index.map).toBeNull();
    expect(prepared.points).toBeNull();
    expect(prepared.index.failureCount).toBe(500);
    expect(prepared.index.run.failures.length).toBeLessThan(500);
  });
});

describe('runs and the local server', () => {
  let dir: string;
  let server: VizServer;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'clio-viz-'));
    for (const name of ['may', 'june run']) {
      await mkdir(join(dir, 'runs', name), { recursive: true });
      await writeFile(join(dir, 'runs', name, 'hierarchy.json'), JSON.stringify(doc));
    }
    await mkdir(join(dir, 'dist'));
    await writeFile(join(dir, 'dist', 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(join(dir, 'secret.txt'), 'not for the browser');
    server = await startVizServer({
      runs: await findRuns(join(dir, 'runs')),
      distDir: join(dir, 'dist'),
    });
  });
  afterAll(() => server?.close());

  it('finds a run folder, a folder of runs and a runs index', async () => {
    expect((await findRuns(join(dir, 'runs'))).map((r) => r.key)).toEqual(['june-run', 'may']);
    expect(await findRuns(join(dir, 'runs', 'may'))).toHaveLength(1);
    await writeFile(
      join(dir, 'index.json'),
      JSON.stringify({ runs: ['runs/may', { path: 'runs/may/hierarchy.json', name: 'Again' }] }),
    );
    const listed = await findRuns(join(dir, 'index.json'));
    expect(listed.map((r) => [r.key, r.name])).toEqual([
      ['may', 'may'],
      ['may-2', 'Again'],
    ]);
    await expect(findRuns(join(dir, 'dist'))).rejects.toThrow(/no hierarchy.json .* generate/);
  });

  it('serves the bundle and the data read-only, with a strict content security policy', async () => {
    const runs = (await (await fetch(`${server.url}data/runs.json`)).json()) as VizRuns;
    expect(runs.runs.map((r) => r.key)).toEqual(['june-run', 'may']);
    const index = await fetch(`${server.url}data/may/index.json`);
    expect(index.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(((await index.json()) as VizIndex).items).toBe(doc.items.length);
    const points = await fetch(`${server.url}data/may/points.bin`);
    expect((await points.arrayBuffer()).byteLength).toBe(4 * doc.items.length);
    expect((await fetch(server.url)).status).toBe(200);
    for (const path of ['..%2Fsecret.txt', 'data/nope/index.json', 'data/may/items/99.json']) {
      expect((await fetch(`${server.url}${path}`)).status).toBe(404);
    }
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405);
  });

  it('answers only requests addressed to its own loopback name and port (DNS rebinding)', async () => {
    const { port } = new URL(server.url);
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      `LOCALHOST:${port}`,
      `[::1]:${port}`,
    ]) {
      expect(await statusFor(server.url, 'data/runs.json', host), host).toBe(200);
    }
    const other = Number(port) === 1 ? 2 : Number(port) - 1;
    for (const host of [
      `evil.example:${port}`,
      'evil.example',
      `127.0.0.1:${other}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port}.evil.example`,
      '127.0.0.1',
    ]) {
      for (const path of ['data/runs.json', 'data/may/index.json', '']) {
        expect(await statusFor(server.url, path, host), `${host} ${path}`).toBe(421);
      }
    }
    // Refused before anything else is looked at: a POST from a rebound name gets 421 too.
    expect(await statusFor(server.url, '', 'evil.example', 'POST')).toBe(421);
  });
});

/** The status of a request with its own Host header (fetch does not let a caller set one). */
function statusFor(base: string, path: string, host: string, method = 'GET'): Promise<number> {
  return new Promise((ok, fail) => {
    const req = request(`${base}${path}`, { method, headers: { host } }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
    req.end();
  });
}

describe('launching', () => {
  it('opens a browser only with a display and never in CI', () => {
    expect(canOpenBrowser({ CI: 'true', DISPLAY: ':0' }, 'linux')).toBe(false);
    expect(canOpenBrowser({}, 'linux')).toBe(false);
    expect(canOpenBrowser({ DISPLAY: ':0' }, 'linux')).toBe(true);
    expect(canOpenBrowser({}, 'darwin')).toBe(true);
  });

  it('after generate without a terminal, only says how to open the explorer', async () => {
    const lines: string[] = [];
    await vizAfterGenerate({
      config: 'configs/demo.json',
      cwd: tmpdir(),
      location: tmpdir(),
      viz: true,
      open: true,
      write: (line) => lines.push(line),
    });
    expect(lines).toEqual(['Explore the results: npx open-clio viz --config configs/demo.json']);
  });
});
