import { UMAP } from 'umap-js';
import { dot } from '../cluster/vectors.js';
import { mulberry32, normalGenerator, type Rng, sampleIndices } from '../util/random.js';
import type { HierarchyDoc, MapInfo } from './hierarchy-schema.js';

/**
 * UMAP in umap-js costs about 0.7 s per 1,000 points (kNN plus 200 epochs) and grows faster
 * than linearly, so the layout is computed on at most this many anchors whatever the run's size.
 */
export const MAP_ANCHORS = 2000;

/** Below this many anchors UMAP's neighbourhood graph is meaningless; a circle is honest. */
const MIN_UMAP_POINTS = 8;

/** Items placed from anchors are scattered this much (in map units) so they do not pile up. */
const PLACEMENT_JITTER = 0.006;

/** Bounds the placement work when a few huge base clusters each hold hundreds of anchors. */
const PLACEMENT_CANDIDATES = 32;

export interface ProjectionOptions {
  readonly seed: number;
  readonly maxAnchors?: number;
}

export interface Projection {
  /** x, y of item i at [2i], [2i + 1], both in [0, 1]. */
  readonly xy: Float32Array;
  readonly info: MapInfo;
}

/** What the projection needs from a base cluster. */
export interface ProjectedCluster {
  readonly itemIndices: readonly number[];
  /** Unit-length mean of its items' vectors. */
  readonly centroid: Float32Array;
}

interface Anchor {
  readonly vector: Float32Array;
  /** The item it is, or -1 for a cluster centroid. */
  readonly item: number;
}

/**
 * A seeded, deterministic 2-D map of every item. Small runs put every item through UMAP. Large
 * runs lay out the base-cluster centroids plus a size-proportional sample of items, then place
 * each remaining item among the most similar anchors of its own cluster, so the work stays
 * bounded (about two seconds) even for 100k items.
 */
export function projectItems(
  vectors: readonly Float32Array[],
  base: readonly ProjectedCluster[],
  options: ProjectionOptions,
): Projection {
  const n = vectors.length;
  const maxAnchors = options.maxAnchors ?? MAP_ANCHORS;
  const rng = mulberry32(options.seed);
  const xy = new Float32Array(2 * n);
  if (n === 0) return { xy, info: { method: 'empty', anchors: 0, seed: options.seed } };

  const everyItem = n <= maxAnchors;
  const perCluster = base.map((cluster) =>
    everyItem
      ? itemAnchors(cluster.itemIndices, vectors)
      : clusterAnchors(cluster, vectors, n, maxAnchors, base.length, rng),
  );
  const anchors = perCluster.flat();
  const layout = layoutAnchors(anchors, options.seed);
  const positionOf = new Map(anchors.map((anchor, i) => [anchor, i]));

  const jitter = normalGenerator(rng);
  base.forEach((cluster, c) => {
    const own = (perCluster[c] ?? []).map((anchor) => ({
      anchor,
      at: positionOf.get(anchor) as number,
    }));
    const placed = new Set(own.filter((a) => a.anchor.item >= 0).map((a) => a.anchor.item));
    const candidates = own.slice(0, PLACEMENT_CANDIDATES);
    for (const { anchor, at } of own) {
      if (anchor.item < 0) continue;
      xy[2 * anchor.item] = layout[2 * at] as number;
      xy[2 * anchor.item + 1] = layout[2 * at + 1] as number;
    }
    for (const item of cluster.itemIndices) {
      if (placed.has(item)) continue;
      const [x, y] = placeNear(vectors[item] as Float32Array, candidates, layout);
      xy[2 * item] = clamp01(x + PLACEMENT_JITTER * jitter());
      xy[2 * item + 1] = clamp01(y + PLACEMENT_JITTER * jitter());
    }
  });
  const method = everyItem
    ? `umap-js on all ${anchors.length} items`
    : `umap-js on ${base.length} base-cluster centroids and ${anchors.length - base.length} sampled items; the rest placed among the nearest of them in their cluster`;
  return { xy, info: { method, anchors: anchors.length, seed: options.seed } };
}

/** Adds each item's position and the map's description to an assembled document. */
export function attachMap(doc: HierarchyDoc, projection: Projection): HierarchyDoc {
  const round = (v: number) => Math.round(v * 10_000) / 10_000;
  return {
    ...doc,
    map: projection.info,
    items: doc.items.map((item, i) => ({
      ...item,
      xy: [round(projection.xy[2 * i] ?? 0), round(projection.xy[2 * i + 1] ?? 0)],
    })),
  };
}

function itemAnchors(indices: readonly number[], vectors: readonly Float32Array[]): Anchor[] {
  return indices.map((item) => ({ vector: vectors[item] as Float32Array, item }));
}

function clusterAnchors(
  cluster: ProjectedCluster,
  vectors: readonly Float32Array[],
  total: number,
  maxAnchors: number,
  clusters: number,
  rng: Rng,
): Anchor[] {
  const size = cluster.itemIndices.length;
  const budget = Math.max(0, maxAnchors - clusters);
  const quota = Math.min(size, Math.floor((budget * size) / total));
  const sampled = [...sampleIndices(rng, size, quota)].map((i) => cluster.itemIndices[i] as number);
  return [{ vector: cluster.centroid, item: -1 }, ...itemAnchors(sampled, vectors)];
}

/** UMAP (or a circle for a handful of points), scaled into [0, 1]² keeping the aspect ratio. */
function layoutAnchors(anchors: readonly Anchor[], seed: number): Float32Array {
  const m = anchors.length;
  let raw: number[][];
  if (m < MIN_UMAP_POINTS) {
    raw = anchors.map((_, i) => [Math.cos((2 * Math.PI * i) / m), Math.sin((2 * Math.PI * i) / m)]);
  } else {
    const umap = new UMAP({
      nComponents: 2,
      nNeighbors: Math.min(15, m - 1),
      minDist: 0.1,
      nEpochs: 200,
      random: mulberry32(seed),
    });
    raw = umap.fit(anchors.map((a) => Array.from(a.vector)));
  }
  return fitUnitSquare(raw);
}

/** Share of points at each edge left out of the scale, so a few far-off strays do not shrink the rest. */
const OUTLIER_SHARE = 0.01;

function fitUnitSquare(points: readonly number[][]): Float32Array {
  const finite = points.map(([x = 0, y = 0]) => [
    Number.isFinite(x) ? x : 0,
    Number.isFinite(y) ? y : 0,
  ]);
  const bounds = (axis: 0 | 1): [number, number] => {
    const values = finite.map((p) => p[axis] as number).sort((a, b) => a - b);
    const cut = Math.floor(values.length * OUTLIER_SHARE);
    return [values[cut] ?? 0, values[values.length - 1 - cut] ?? 0];
  };
  const [minX, maxX] = bounds(0);
  const [minY, maxY] = bounds(1);
  // One scale for both axes keeps distances comparable; a margin keeps jittered points inside.
  const span = Math.max(maxX - minX, maxY - minY) || 1;
  const scale = 0.94 / span;
  const offX = 0.5 - ((minX + maxX) / 2) * scale;
  const offY = 0.5 - ((minY + maxY) / 2) * scale;
  const out = new Float32Array(2 * finite.length);
  finite.forEach(([x = 0, y = 0], i) => {
    out[2 * i] = clamp01(x * scale + offX);
    out[2 * i + 1] = clamp01(y * scale + offY);
  });
  return out;
}

/** Similarity-weighted mean position of the three anchors most like the item. */
function placeNear(
  vector: Float32Array,
  own: readonly { anchor: Anchor; at: number }[],
  layout: Float32Array,
): [number, number] {
  const best = own
    .map(({ anchor, at }) => ({ at, score: dot(vector, anchor.vector) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, 3);
  let [x, y, total] = [0, 0, 0];
  for (const { at, score } of best) {
    // A steep weight keeps an item close to its single best match rather than the midpoint.
    const w = Math.max(score, 0) ** 4 + 1e-6;
    x += w * (layout[2 * at] as number);
    y += w * (layout[2 * at + 1] as number);
    total += w;
  }
  return total > 0 ? [x / total, y / total] : [0.5, 0.5];
}

function clamp01(v: number): number {
  return Math.min(1, Math.max(0, v));
}
