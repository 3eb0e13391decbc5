import type { Level, WithheldReason } from '../cluster/types.js';
import type { SummarizedItem } from '../pipeline/types.js';
import { ClioError } from '../util/errors.js';
import { type IdentitySource, identityOf, identityWarning } from './users.js';

export interface PrivacyFloor {
  readonly minClusterSize: number;
  readonly minDistinctUsers: number;
}

export interface FloorResult {
  /** Base clusters withheld, by reason. */
  readonly clusters: Partial<Record<WithheldReason, number>>;
  /** Items in them. */
  readonly items: number;
  readonly warnings: string[];
}

/**
 * The privacy floor of the base level, applied before any cluster is named or grouped so no name,
 * parent or map point is ever made from what is held back: a cluster with fewer items than
 * `minClusterSize`, or fewer distinct users than `minDistinctUsers`, is marked withheld.
 */
export function applyPrivacyFloor(
  level: Level,
  items: readonly SummarizedItem[],
  floor: PrivacyFloor,
): FloorResult {
  const clusters: Partial<Record<WithheldReason, number>> = {};
  const warnings: string[] = [];
  let mostUsers = 0;
  const withhold = (reason: WithheldReason, cluster: Level[number]) => {
    cluster.withheld = reason;
    clusters[reason] = (clusters[reason] ?? 0) + 1;
  };
  for (const cluster of level) {
    if (cluster.itemIndices.length < floor.minClusterSize) withhold('size', cluster);
  }
  if (floor.minDistinctUsers > 1) {
    const sources: Record<IdentitySource, number> = { user: 0, thread: 0, item: 0 };
    for (const cluster of level) {
      const users = new Set<string>();
      for (const index of cluster.itemIndices) {
        const identity = identityOf((items[index] as SummarizedItem).item);
        sources[identity.source]++;
        users.add(identity.key);
      }
      mostUsers = Math.max(mostUsers, users.size);
      if (!cluster.withheld && users.size < floor.minDistinctUsers) withhold('users', cluster);
    }
    const warning = identityWarning(sources, floor.minDistinctUsers);
    if (warning) warnings.push(warning);
  }
  const held = level.filter((c) => c.withheld !== undefined);
  if (held.length === level.length && level.length > 0) {
    // A run that can show nothing has failed, whatever else went right: say why.
    throw new ClioError(nothingShownReason(level, floor, mostUsers));
  }
  const heldItems = held.reduce((sum, c) => sum + c.itemIndices.length, 0);
  if (clusters.size) {
    warnings.push(
      `${sum(level, 'size')} items withheld: their base clusters are smaller than min_cluster_size (${floor.minClusterSize})`,
    );
  }
  if (clusters.users) {
    warnings.push(
      `${sum(level, 'users')} items withheld: their base clusters have fewer than min_distinct_users (${floor.minDistinctUsers}) distinct users`,
    );
  }
  return { clusters, items: heldItems, warnings };
}

const sum = (level: Level, reason: WithheldReason) =>
  level.filter((c) => c.withheld === reason).reduce((total, c) => total + c.itemIndices.length, 0);

function nothingShownReason(level: Level, floor: PrivacyFloor, mostUsers: number): string {
  const largest = Math.max(...level.map((c) => c.itemIndices.length));
  if (largest < floor.minClusterSize) {
    return (
      `min_cluster_size ${floor.minClusterSize} withholds every cluster: the largest base cluster has ${largest} items, ` +
      `so nothing is left to show; set min_cluster_size to at most ${largest}, or cluster more items with fewer base clusters`
    );
  }
  return (
    `min_distinct_users ${floor.minDistinctUsers} withholds every cluster: the base cluster with the most users has ${mostUsers}, ` +
    `so nothing is left to show; set min_distinct_users to at most ${mostUsers}, or cluster more items with fewer base clusters`
  );
}
