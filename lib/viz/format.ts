/**
 * The files the explorer reads, as served locally by `open-clio viz` and published as static
 * files later. Only types and constants here: the browser bundle imports this module too.
 *
 * Layout under the data root:
 *   runs.json                      VizRuns
 *   {run}/index.json               VizIndex: everything the first screen needs
 *   {run}/points.bin               map positions, see VizIndex.map
 *   {run}/items/{k}.json           VizItem[]: items [k·chunkSize, (k+1)·chunkSize) in member order
 *   {run}/search/{k}.json          VizSearchShard: ids and summaries, searchShardSize per shard
 *   {run}/compare/{other}.json     Comparison (lib/compare/types.ts): from run {other} to {run}
 *   {run}/insight.json             VizInsight: why each cluster is one (made on first request)
 *   {run}/facets/{k}.json          VizFacetColumn: facet k's value per item, in member order
 *   {run}/facets/clusters.json     VizClusterFacets: every cluster's facet distributions
 *   trends.json                    VizTrends: the save_path's kept runs (only where there is one)
 *
 * "Member order" lists items base cluster by base cluster, walking the tree depth-first from the
 * largest top-level cluster, so every cluster of every level covers one contiguous range
 * [start, start + size): a page of any cluster is one or two chunk downloads.
 */
import type { FacetDistribution } from '../facets/distribution.js';
import type { MapInfo, RunInfo } from '../output/hierarchy-schema.js';
import type { Trends } from '../trends/types.js';

export const VIZ_FORMAT = 1;

export interface VizRunEntry {
  /** Folder-safe name used in URLs: `[A-Za-z0-9._-]+`. */
  readonly key: string;
  readonly name: string;
  readonly createdAt: string;
  readonly source: string;
  readonly items: number;
  /** The key of the run this one was replaced by, when it is that run's `previous/`. */
  readonly previousOf?: string;
}

export interface VizRuns {
  readonly format: typeof VIZ_FORMAT;
  readonly runs: readonly VizRunEntry[];
}

export interface VizCluster {
  readonly level: number;
  readonly id: number;
  /** Its stable key (`hierarchy.json`'s, else derived as the history derives it): trends link by it. */
  readonly key?: string;
  readonly name: string;
  readonly description: string;
  readonly size: number;
  readonly partition: string;
  readonly parent: number | null;
  /** Ids one level down, largest first. */
  readonly children: readonly number[];
  /** Its first item's position in member order. */
  readonly start: number;
  /** From the `evaluation.json` beside the run, when there is one. */
  readonly scores?: VizClusterScores;
}

/**
 * A facet as the run's items answer it. `hierarchy.json` does not keep the config, so the kind
 * and the values are read off the items: text values make a category, numbers a scale.
 */
export type VizFacet =
  | {
      readonly name: string;
      readonly kind: 'category';
      /**
       * The values given, the most frequent first, at most MAX_CATEGORY_VALUES of them: the
       * codes of its column index this.
       */
      readonly values: readonly string[];
      /** Distinct values past the cap (free-text answers can be thousands); coded -1. */
      readonly more?: number;
    }
  | {
      readonly name: string;
      readonly kind: 'scale';
      /** The smallest and largest value given. */
      readonly min: number;
      readonly max: number;
    };

/**
 * `facets/{k}.json`: one facet's value per item in member order, so a filter downloads one small
 * array rather than every item. A category's value is its index in `VizFacet.values`, a scale's
 * the number itself; null where the item has no value, -1 for a value past the category's cap.
 */
export interface VizFacetColumn {
  readonly name: string;
  readonly values: readonly (number | null)[];
}

/**
 * `facets/clusters.json`: how each cluster's members spread over each facet. Apart from the
 * index, which it would more than double on a big run, and fetched only by the screens that
 * show, rank or colour by a facet.
 */
export interface VizClusterFacets {
  readonly format: typeof VIZ_FORMAT;
  /** By `{level}.{id}`, then by facet name; clusters made before facets are absent. */
  readonly clusters: Readonly<Record<string, Readonly<Record<string, FacetDistribution>>>>;
}

/** A cluster's scores from `open-clio evaluate`, each in [0, 1] (null: nothing judged). */
export interface VizClusterScores {
  /** Embedding fit: share of its items whose own centroid is the nearest of all. */
  readonly nearestOwn?: number;
  readonly meanMargin?: number;
  /** LLM judge: members judged (the `eval_sample` ones) and the share passing each check. */
  readonly judged?: number;
  readonly hierarchicalFit?: number | null;
  readonly bestFit?: number | null;
  readonly exclusiveFit?: number | null;
}

export interface VizPartition {
  readonly name: string;
  readonly description: string;
  readonly items: number;
}

export interface VizIndex {
  readonly format: typeof VIZ_FORMAT;
  /** The run info, with `failures` cut to the first `MAX_INDEX_FAILURES`. */
  readonly run: RunInfo;
  /** All failures of the run, however many the index lists. */
  readonly failureCount: number;
  readonly levels: readonly { readonly level: number; readonly count: number }[];
  /** Every level's clusters, each level in member order. */
  readonly clusters: readonly VizCluster[];
  readonly partitions: readonly VizPartition[];
  readonly items: number;
  readonly chunkSize: number;
  readonly searchShardSize: number;
  /** Whether items carry a ground-truth label (shown with each member). */
  readonly labelled: boolean;
  /**
   * `points.bin` holds, per item in member order, x then y as little-endian uint16
   * (0 … 65535 spanning [0, 1]); null when the run has no map.
   */
  readonly map: (MapInfo & { readonly file: string }) | null;
  /** The facets items carry, column k in `facets/{k}.json`; absent or empty: none. */
  readonly facets?: readonly VizFacet[];
}

export interface VizItem {
  readonly id: string;
  readonly summary: string;
  readonly partition: string;
  readonly label?: string;
  readonly preview: string;
  /** Its facet values by name, shown with the item (filters read `facets/{k}.json`). */
  readonly facets?: Readonly<Record<string, string | number>>;
}

export interface VizSearchShard {
  readonly ids: readonly string[];
  readonly summaries: readonly string[];
}

/** A distinctive term of a cluster, weighted by how many members use it here and elsewhere. */
export interface VizTerm {
  readonly term: string;
  /** Share of the cluster's members that use the term, in [0, 1]. */
  readonly share: number;
  /** Share of the level's other items that use it. */
  readonly elsewhere: number;
}

export interface VizNeighbour {
  /** A cluster of the same level. */
  readonly id: number;
  /** Cosine similarity of the two clusters' centroids (summary embeddings). */
  readonly similarity: number;
}

export interface VizLabelCount {
  readonly label: string;
  readonly count: number;
}

/** Why a cluster is one: what its members say, what it sits near, which labels it holds. */
export interface VizClusterInsight {
  readonly level: number;
  readonly id: number;
  readonly terms: readonly VizTerm[];
  /** Most similar first; empty when the run has no usable centroids. */
  readonly nearest: readonly VizNeighbour[];
  /** When items carry labels: the most common first, the rest summed as one `other` entry. */
  readonly labels?: readonly VizLabelCount[];
  /** Members whose label is not among `labels`. */
  readonly otherLabels?: number;
  /** The most common label's share of the members. */
  readonly purity?: number;
}

/** How each level's clusters agree with the items' labels (lib/evaluate/label-metrics.ts). */
export interface VizLevelAgreement {
  readonly level: number;
  readonly nmi: number;
  readonly ari: number;
  readonly purity: number;
}

export interface VizInsight {
  readonly format: typeof VIZ_FORMAT;
  /** Whether `nearest` was computed (from the `centroids.json` beside the run). */
  readonly similarity: boolean;
  readonly clusters: readonly VizClusterInsight[];
  /** Empty when items carry no labels. */
  readonly agreement: readonly VizLevelAgreement[];
}

/**
 * The history of the save_path the explorer shows, as `open-clio trends --json` prints it, at
 * both levels the Trends view offers.
 */
export interface VizTrends {
  readonly format: typeof VIZ_FORMAT;
  readonly top: Trends;
  readonly base: Trends;
  /** By run id, the explorer's key of each kept run it can still open (`runs.json`). */
  readonly shown: Readonly<Record<string, string>>;
  /** Kept runs that could not be read, so are left out. */
  readonly problems: readonly string[];
}

export const MAX_INDEX_FAILURES = 200;

/** Category values the index lists per facet: a filter menu, not a free-text dump. */
export const MAX_CATEGORY_VALUES = 200;

/**
 * Members per page in the explorer, and items per chunk: a page of any cluster, wherever it
 * starts, is at most two chunks (about 30 KB compressed) rather than a slice of a big one.
 */
export const MEMBER_PAGE_ITEMS = 50;

export const vizPaths = {
  runs: 'runs.json',
  index: 'index.json',
  points: 'points.bin',
  insight: 'insight.json',
  chunk: (k: number) => `items/${k}.json`,
  search: (k: number) => `search/${k}.json`,
  compare: (other: string) => `compare/${other}.json`,
  facet: (k: number) => `facets/${k}.json`,
  clusterFacets: 'facets/clusters.json',
  trends: 'trends.json',
} as const;
