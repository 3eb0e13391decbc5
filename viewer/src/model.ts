import type { VizCluster, VizIndex } from '../../lib/viz/format.js';
import { hue } from './contrast.js';
import type { ClusterRef } from './route.js';

/** Tableau 10: distinct, colour-blind-aware hues for the top-level clusters. */
const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** The i-th of a set of distinct colours: the palette, then golden-angle hues apart from it. */
export const paletteColour = (i: number): string => PALETTE[i] ?? hue((i * 137.5) % 360);

/** Lookups over a run's index that every view needs. */
export class Model {
  readonly topLevel: number;
  readonly total: number;
  /** Top-level clusters in member order (largest first). */
  readonly roots: readonly VizCluster[];
  private readonly byKey = new Map<string, VizCluster>();
  private readonly bases: readonly VizCluster[];
  private readonly colours = new Map<VizCluster, string>();

  constructor(readonly index: VizIndex) {
    this.topLevel = Math.max(0, index.levels.length - 1);
    this.total = index.items;
    for (const c of index.clusters) this.byKey.set(`${c.level}.${c.id}`, c);
    this.bases = index.clusters.filter((c) => c.level === 0);
    this.roots = index.clusters.filter((c) => c.parent === null && c.level === this.topLevel);
    this.roots.forEach((root, i) => {
      this.colours.set(root, paletteColour(i));
    });
  }

  cluster(ref: ClusterRef | undefined): VizCluster | undefined {
    return ref && this.byKey.get(`${ref.level}.${ref.id}`);
  }

  children(cluster: VizCluster): VizCluster[] {
    return cluster.children
      .map((id) => this.byKey.get(`${cluster.level - 1}.${id}`))
      .filter((c): c is VizCluster => c !== undefined);
  }

  parent(cluster: VizCluster): VizCluster | undefined {
    return cluster.parent === null
      ? undefined
      : this.byKey.get(`${cluster.level + 1}.${cluster.parent}`);
  }

  /** From the top level down to (not including) the cluster. */
  ancestors(cluster: VizCluster): VizCluster[] {
    const chain: VizCluster[] = [];
    for (let c = this.parent(cluster); c; c = this.parent(c)) chain.unshift(c);
    return chain;
  }

  /**
   * The cluster, or the last of the single children that repeat its name below it (offline
   * keyword names often do): one step shown once.
   */
  chainEnd(cluster: VizCluster): VizCluster {
    let end = cluster;
    for (let [only, ...rest] = this.children(end); only && rest.length === 0; ) {
      if (only.name !== end.name) break;
      end = only;
      [only, ...rest] = this.children(end);
    }
    return end;
  }

  /** Whether the run's names were made without an LLM, from each cluster's distinctive terms. */
  get namedOffline(): boolean {
    return this.index.run.llm.startsWith('offline');
  }

  top(cluster: VizCluster): VizCluster {
    return this.ancestors(cluster)[0] ?? cluster;
  }

  colour(cluster: VizCluster): string {
    return this.colours.get(this.top(cluster)) ?? PALETTE[0] ?? '#888';
  }

  /** The base cluster holding the item at a member-order position. */
  baseAt(position: number): VizCluster | undefined {
    let [lo, hi] = [0, this.bases.length - 1];
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.bases[mid] as VizCluster;
      if (position < c.start) hi = mid - 1;
      else if (position >= c.start + c.size) lo = mid + 1;
      else return c;
    }
    return undefined;
  }

  /** Top-level clusters within the partition filter. */
  visibleRoots(partition: string | undefined): VizCluster[] {
    return this.roots.filter((c) => partition === undefined || c.partition === partition);
  }

  /** Base-cluster index per base cluster, in member order, with its top-level colour. */
  baseColours(): { start: number; end: number; colour: string; cluster: VizCluster }[] {
    return this.bases.map((c) => ({
      start: c.start,
      end: c.start + c.size,
      colour: this.colour(c),
      cluster: c,
    }));
  }
}
