/**
 * How many clusters a level can have over `unitsBelow` units (items for the base level, clusters
 * of the level below otherwise): fewer than the units, since a level as large as the one below
 * only copies it (one child per parent), but at least one.
 */
export function levelCap(requested: number, unitsBelow: number): number {
  return Math.max(1, Math.min(requested, unitsBelow - 1));
}

export interface HierarchyPlan {
  /** Clusters per level, base first, strictly decreasing: what the run will ask for. */
  readonly levels: number[];
  /** Set when `levels` differs from what was asked: both, and why. */
  readonly warning?: string;
}

/**
 * The hierarchy a run of `items` items can make, decided once before any work, so the run
 * neither makes levels of single-child copies nor warns level by level. Each level is capped by
 * `levelCap` over the level below; once a level has one cluster, the levels above it would only
 * repeat it and are dropped. (With partitions the top level is made of the partitions whatever
 * its count; planning it like the others keeps the counts strictly decreasing.)
 */
export function planHierarchy(asked: readonly number[], items: number): HierarchyPlan {
  const levels: number[] = [];
  let units = items;
  for (const [index, requested] of asked.entries()) {
    if (index > 0 && units <= 1) break;
    const count = levelCap(requested, units);
    levels.push(count);
    units = count;
  }
  const changed = levels.length !== asked.length || levels.some((n, i) => n !== asked[i]);
  if (!changed) return { levels };
  const list = (counts: readonly number[]) => `[${counts.join(', ')}]`;
  return {
    levels,
    warning:
      `\`hierarchy\` ${list(asked)} asks for more clusters than ${items} items can fill; using ${list(levels)} ` +
      '(each level needs fewer clusters than the level below has, and the base level fewer than the items)',
  };
}
