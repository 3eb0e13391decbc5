/**
 * Why a cluster is kept out of every output: too few items (`min_cluster_size`), too few distinct
 * users (`min_distinct_users`), or the privacy audit rated it identifying.
 */
export const WITHHELD_REASONS = ['size', 'users', 'audit'] as const;
export type WithheldReason = (typeof WITHHELD_REASONS)[number];

/** One cluster of one level while the hierarchy is being built. */
export interface ClusterNode {
  readonly level: number;
  /** Unique within its level; 0..n-1 in output order. */
  readonly id: number;
  name: string;
  description: string;
  readonly partition: string;
  /** Ids of the clusters of the level below that it groups; empty at the base level. */
  readonly children: readonly number[];
  /** Indices of every item under it, into the run's summarized items. */
  readonly itemIndices: readonly number[];
  /** Unit-length mean of its items' vectors. */
  readonly centroid: Float32Array;
  parent?: number;
  /** Set when the privacy floor holds it back: levels above never group it, outputs omit it. */
  withheld?: WithheldReason;
}

export const isShown = (cluster: ClusterNode): boolean => cluster.withheld === undefined;

export type Level = ClusterNode[];
