import type { Comparison } from '../../lib/compare/types.js';
import type {
  VizClusterFacets,
  VizFacetColumn,
  VizIndex,
  VizInsight,
  VizItem,
  VizRuns,
  VizSearchShard,
  VizTrends,
} from '../../lib/viz/format.js';

const DATA = './data/';
/** Bounds memory on long sessions over big runs; re-fetching a chunk is cheap. */
const KEPT_RESPONSES = 120;
const cache = new Map<string, Promise<unknown>>();

function cached<T>(path: string, load: (response: Response) => Promise<T>): Promise<T> {
  let hit = cache.get(path) as Promise<T> | undefined;
  if (hit) {
    cache.delete(path);
    cache.set(path, hit);
    return hit;
  }
  hit = fetch(DATA + path).then((response) => {
    if (!response.ok) throw new Error(`${path}: ${response.status} ${response.statusText}`);
    return load(response);
  });
  hit.catch(() => cache.delete(path));
  cache.set(path, hit);
  for (const key of cache.keys()) {
    if (cache.size <= KEPT_RESPONSES) break;
    cache.delete(key);
  }
  return hit;
}

const json = <T>(path: string) => cached(path, (r) => r.json() as Promise<T>);
const runPath = (run: string, file: string) => `${encodeURIComponent(run)}/${file}`;

export const loadRuns = () => json<VizRuns>('runs.json');
export const loadIndex = (run: string) => json<VizIndex>(runPath(run, 'index.json'));

/** x, y per item in member order, as uint16 (see VizIndex.map). */
export function loadPoints(run: string, index: VizIndex): Promise<Uint16Array> {
  if (!index.map) return Promise.resolve(new Uint16Array());
  return cached(runPath(run, index.map.file), async (r) => {
    const bytes = new DataView(await r.arrayBuffer());
    const out = new Uint16Array(bytes.byteLength / 2);
    for (let i = 0; i < out.length; i++) out[i] = bytes.getUint16(2 * i, true);
    return out;
  });
}

/** Items [from, to) in member order, fetching only the chunks that hold them. */
export async function loadItems(
  run: string,
  index: VizIndex,
  from: number,
  to: number,
): Promise<VizItem[]> {
  if (to <= from) return [];
  const first = Math.floor(from / index.chunkSize);
  const last = Math.floor((to - 1) / index.chunkSize);
  const chunks = await Promise.all(
    Array.from({ length: last - first + 1 }, (_, k) =>
      json<VizItem[]>(runPath(run, `items/${first + k}.json`)),
    ),
  );
  const offset = first * index.chunkSize;
  return chunks.flat().slice(from - offset, to - offset);
}

/** The items at the given member-order positions, fetching each chunk that holds one once. */
export async function loadItemsAt(
  run: string,
  index: VizIndex,
  positions: readonly number[],
): Promise<VizItem[]> {
  const chunkOf = (p: number) => Math.floor(p / index.chunkSize);
  const chunks = new Map(
    [...new Set(positions.map(chunkOf))].map((k) => [
      k,
      json<VizItem[]>(runPath(run, `items/${k}.json`)),
    ]),
  );
  return Promise.all(
    positions.map(async (p) => {
      const item = (await chunks.get(chunkOf(p)))?.[p % index.chunkSize];
      if (!item) throw new Error(`no item at position ${p}`);
      return item;
    }),
  );
}

/** Facet k's value per item (see VizFacetColumn). */
export const loadFacetColumn = (run: string, k: number) =>
  json<VizFacetColumn>(runPath(run, `facets/${k}.json`));

/** Every cluster's facet distributions (see VizClusterFacets). */
export const loadClusterFacets = (run: string) =>
  json<VizClusterFacets>(runPath(run, 'facets/clusters.json'));

/** Why each cluster is one (made by the server on first request; see lib/viz/cluster-insight.ts). */
export const loadInsight = (run: string) => json<VizInsight>(runPath(run, 'insight.json'));

export const loadSearchShard = (run: string, k: number) =>
  json<VizSearchShard>(runPath(run, `search/${k}.json`));

/** What changed from run `from` to run `to` (computed by the server on first request). */
export const loadComparison = (to: string, from: string) =>
  json<Comparison>(runPath(to, `compare/${encodeURIComponent(from)}.json`));

/**
 * The kept runs of the config shown, fetched afresh (a run may have finished since): the ones
 * published beside `run` (a site, where each run carries its config's trends as of that run),
 * else the save_path's; null where there are neither (a folder of runs).
 */
export async function loadTrends(run?: string): Promise<VizTrends | null> {
  for (const path of [...(run ? [runPath(run, 'trends.json')] : []), 'trends.json']) {
    const response = await fetch(DATA + path);
    if (response.status === 404 || response.status === 403) continue;
    if (!response.ok) throw new Error(`trends.json: ${response.status} ${response.statusText}`);
    return (await response.json()) as VizTrends;
  }
  return null;
}
