import { dot } from '../cluster/vectors.js';
import type { ClusterRecord, HierarchyDoc } from '../output/hierarchy-schema.js';
import { clusterRef, type RunCentroids } from './centroids.js';

/** A run as matching sees it: its document and, when known, its clusters' centroids. */
export interface MatchSide {
  readonly doc: HierarchyDoc;
  readonly centroids?: RunCentroids | undefined;
}

export interface ClusterMatch {
  readonly a: ClusterRecord;
  readonly b: ClusterRecord;
  readonly by: 'key' | 'similarity';
  /** The combined score in [0, 1] (1 for a key match). */
  readonly score: number;
}

/**
 * Weights of the signals; a pair's score is the weighted mean of the signals available for it.
 * Centroids say most about meaning; shared members are decisive when the runs overlap (a re-run,
 * an extended run); names differ between runs even for the same topic, so they only tip a balance.
 */
const WEIGHTS = { centroid: 0.55, members: 0.3, name: 0.15 } as const;
/** Pairs scoring below this stay unmatched: a new cluster and a vanished one, not a change. */
export const MATCH_THRESHOLD = 0.4;
/** Member overlap counts only when the runs share this share of the smaller run's items. */
const MIN_SHARED_ITEMS = 0.05;

const STOPWORDS = new Set(['and', 'the', 'for', 'with', 'from', 'about', 'into', 'their', 'that']);

function nameTokens(name: string): Set<string> {
  const words = name.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  return new Set(words.filter((w) => !STOPWORDS.has(w)));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * The two runs' clusterings of one level restricted to the items both runs hold: items shared per
 * pair of clusters, and each cluster's shared items. Items only one run has (a new topic, an older
 * window) say nothing about which clusters correspond, so they are left out of the overlap.
 */
interface SharedMembers {
  readonly pairs: ReadonlyMap<string, number>;
  readonly ofA: ReadonlyMap<number, number>;
  readonly ofB: ReadonlyMap<number, number>;
}

function sharedMembers(a: HierarchyDoc, b: HierarchyDoc, level: number): SharedMembers | null {
  const pathsOfB = new Map(b.items.map((item) => [item.id, item.path]));
  const pairs = new Map<string, number>();
  const ofA = new Map<number, number>();
  const ofB = new Map<number, number>();
  let shared = 0;
  for (const item of a.items) {
    const other = pathsOfB.get(item.id);
    if (!other) continue;
    shared++;
    const [x, y] = [item.path[level] as number, other[level] as number];
    pairs.set(`${x}|${y}`, (pairs.get(`${x}|${y}`) ?? 0) + 1);
    ofA.set(x, (ofA.get(x) ?? 0) + 1);
    ofB.set(y, (ofB.get(y) ?? 0) + 1);
  }
  const smaller = Math.min(a.items.length, b.items.length);
  return shared > 0 && shared >= MIN_SHARED_ITEMS * smaller ? { pairs, ofA, ofB } : null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted.length === 0 ? 0 : (sorted[Math.floor((sorted.length - 1) / 2)] as number);
};

/**
 * How much more alike two centroids are than neighbouring clusters usually are: raw cosines
 * depend on the embedder (unrelated topics score 0.6 with some), so a pair's similarity is
 * rescaled against the median similarity of each cluster to its nearest other one in its own run.
 */
function centroidScorer(
  runs: readonly (readonly Float32Array[])[],
): (x: Float32Array, y: Float32Array) => number {
  const nearest = runs.flatMap((clusters) =>
    clusters.length < 2
      ? []
      : clusters.map((c, i) =>
          Math.max(...clusters.filter((_, j) => j !== i).map((o) => dot(c, o))),
        ),
  );
  const baseline = Math.max(0, median(nearest));
  return (x, y) => Math.min(1, Math.max(0, (dot(x, y) - baseline) / (1 - baseline || 1)));
}

/**
 * One-to-one matches between the clusters of one level of two runs: first equal keys, then the
 * rest greedily by combined score (best pair first) within the same partition, above
 * `MATCH_THRESHOLD`. Greedy rather than Hungarian: optimal assignment changes the outcome only
 * among near-ties, and greedy stays fast for thousands of clusters.
 */
export function matchLevel(a: MatchSide, b: MatchSide, level: number): ClusterMatch[] {
  const ofLevel = (side: MatchSide) => side.doc.clusters.filter((c) => c.level === level);
  const left = ofLevel(a);
  const right = ofLevel(b);
  const matches: ClusterMatch[] = [];
  const byKey = new Map(right.filter((c) => c.key).map((c) => [c.key as string, c]));
  const taken = new Set<ClusterRecord>();
  const open: ClusterRecord[] = [];
  for (const cluster of left) {
    const twin = cluster.key === undefined ? undefined : byKey.get(cluster.key);
    if (twin) {
      matches.push({ a: cluster, b: twin, by: 'key', score: 1 });
      taken.add(twin);
    } else open.push(cluster);
  }
  const rest = right.filter((c) => !taken.has(c));
  if (open.length === 0 || rest.length === 0) return matches;

  const centroidOf = (side: MatchSide, c: ClusterRecord) =>
    side.centroids?.byCluster.get(clusterRef(c.level, c.id));
  const comparable = a.centroids !== undefined && a.centroids.space === b.centroids?.space;
  const present = (side: MatchSide, clusters: readonly ClusterRecord[]) =>
    clusters.map((c) => centroidOf(side, c)).filter((v): v is Float32Array => v !== undefined);
  const vectors = comparable ? [present(a, left), present(b, right)] : [];
  const centroidScore = centroidScorer(vectors);
  const members = sharedMembers(a.doc, b.doc, level);
  const tokens = new Map([...open, ...rest].map((c) => [c, nameTokens(c.name)]));

  const pairs: { x: ClusterRecord; y: ClusterRecord; score: number }[] = [];
  for (const x of open) {
    for (const y of rest) {
      if (x.partition !== y.partition) continue;
      let total =
        WEIGHTS.name * jaccard(tokens.get(x) as Set<string>, tokens.get(y) as Set<string>);
      let weight = WEIGHTS.name;
      const cx = comparable ? centroidOf(a, x) : undefined;
      const cy = comparable ? centroidOf(b, y) : undefined;
      if (cx && cy) {
        total += WEIGHTS.centroid * centroidScore(cx, cy);
        weight += WEIGHTS.centroid;
      }
      if (members) {
        const both = members.pairs.get(`${x.id}|${y.id}`) ?? 0;
        const union = (members.ofA.get(x.id) ?? 0) + (members.ofB.get(y.id) ?? 0) - both;
        // A cluster of items only one run holds has no overlap to judge by: the signal abstains.
        if (union > 0) {
          total += WEIGHTS.members * (both / union);
          weight += WEIGHTS.members;
        }
      }
      const score = total / weight;
      if (score >= MATCH_THRESHOLD) pairs.push({ x, y, score });
    }
  }
  pairs.sort((p, q) => q.score - p.score || p.x.id - q.x.id || p.y.id - q.y.id);
  const usedLeft = new Set<ClusterRecord>();
  for (const { x, y, score } of pairs) {
    if (usedLeft.has(x) || taken.has(y)) continue;
    usedLeft.add(x);
    taken.add(y);
    matches.push({ a: x, b: y, by: 'similarity', score });
  }
  return matches;
}
