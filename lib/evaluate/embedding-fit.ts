import { dot, meanVector } from '../cluster/vectors.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { indicesByLabel } from '../util/group-by.js';

/** How well items sit in their clusters at one level, measured on the summary embeddings. */
export interface LevelFit {
  readonly level: number;
  /** Share of items whose own cluster's centroid is the nearest of all centroids. */
  readonly nearestOwn: number;
  /** Mean over items of (similarity to own centroid − similarity to the best other one). */
  readonly meanMargin: number;
  /** Mean simplified silhouette, in [-1, 1]: (b − a) / max(a, b) with cosine distances. */
  readonly silhouette: number;
  /** 1 − the mean of each cluster's highest similarity to another cluster: higher = more distinct. */
  readonly uniqueness: number;
  /** Per cluster: id, size and its items' mean margin, worst first. */
  readonly clusters: readonly {
    id: number;
    size: number;
    meanMargin: number;
    nearestOwn: number;
  }[];
  /** Items that fit another cluster better than their own, worst first (at most 20). */
  readonly worstItems: readonly { id: string; cluster: number; nearest: number; margin: number }[];
}

/**
 * Embedding-based fit of every level: no model needed. A cluster's centroid is the unit mean of
 * its items' summary vectors; an item fits when its own centroid is nearer than any other.
 */
export function embeddingFit(doc: HierarchyDoc, vectors: readonly Float32Array[]): LevelFit[] {
  return doc.levels.map(({ level }) => {
    const members = indicesByLabel(doc.items.map((item) => item.path[level] as number));
    const ids = [...members.keys()].sort((a, b) => a - b);
    const centroids = ids.map((id) => meanVector(vectors, members.get(id) ?? []));
    const row = new Map(ids.map((id, i) => [id, i]));
    const margins: number[] = new Array(doc.items.length);
    const nearestOf: number[] = new Array(doc.items.length);
    let silhouette = 0;
    doc.items.forEach((item, i) => {
      const own = row.get(item.path[level] as number) as number;
      const sims = centroids.map((c) => dot(vectors[i] as Float32Array, c));
      let best = -1;
      for (let c = 0; c < sims.length; c++) {
        if (c !== own && (best < 0 || (sims[c] as number) > (sims[best] as number))) best = c;
      }
      const ownSim = sims[own] as number;
      const otherSim = best < 0 ? -1 : (sims[best] as number);
      margins[i] = ownSim - otherSim;
      nearestOf[i] = otherSim > ownSim ? (ids[best] as number) : (item.path[level] as number);
      const a = 1 - ownSim;
      const b = 1 - otherSim;
      silhouette += Math.max(a, b) > 0 ? (b - a) / Math.max(a, b) : 0;
    });
    const n = Math.max(1, doc.items.length);
    const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
    const closestOther = centroids.map((c, i) =>
      Math.max(-1, ...centroids.filter((_, j) => j !== i).map((o) => dot(c, o))),
    );
    return {
      level,
      nearestOwn: mean(doc.items.map((item, i) => (nearestOf[i] === item.path[level] ? 1 : 0))),
      meanMargin: mean(margins),
      silhouette: silhouette / n,
      uniqueness: centroids.length > 1 ? 1 - mean(closestOther) : 1,
      clusters: ids
        .map((id) => {
          const list = members.get(id) ?? [];
          return {
            id,
            size: list.length,
            meanMargin: mean(list.map((i) => margins[i] as number)),
            nearestOwn: mean(list.map((i) => (nearestOf[i] === id ? 1 : 0))),
          };
        })
        .sort((a, b) => a.meanMargin - b.meanMargin),
      worstItems: doc.items
        .map((item, i) => ({
          id: item.id,
          cluster: item.path[level] as number,
          nearest: nearestOf[i] as number,
          margin: margins[i] as number,
        }))
        .filter((x) => x.margin < 0)
        .sort((a, b) => a.margin - b.margin)
        .slice(0, 20),
    };
  });
}
