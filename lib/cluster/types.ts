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
}

export type Level = ClusterNode[];
