import type { Level } from '../cluster/types.js';
import type { CentroidsFile } from '../compare/centroids.js';
import { type KeyOptions, keyAssembledRun } from '../compare/run-keys.js';
import type { ClioConfig } from '../config/index.js';
import { assembleHierarchy } from '../output/assemble.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { attachMap, projectItems } from '../output/projection.js';
import { withholdSmallClusters } from '../output/withhold.js';
import { ClioError } from '../util/errors.js';
import { type RunRecord, runInfo } from './run-record.js';
import type { SummarizedItem } from './types.js';

/**
 * The finished document of a run, the same for every runner: the hierarchy with its 2-D map,
 * small clusters withheld (counted in the record), a stable key on every cluster (carried over
 * from `keys.previous` where a cluster matches one of its clusters), carrying the record's run
 * info. Returns the warning to report when items were withheld, and the centroids artifact to
 * write beside `hierarchy.json`.
 */
export function assembleRun(
  items: readonly SummarizedItem[],
  levels: readonly Level[],
  vectors: readonly Float32Array[],
  record: RunRecord,
  config: Pick<ClioConfig, 'seed' | 'min_cluster_size'>,
  keys: KeyOptions = {},
): {
  doc: HierarchyDoc;
  warning: string | undefined;
  centroids: CentroidsFile;
  keys: { carried: number; fresh: number };
} {
  const map = projectItems(vectors, levels[0] ?? [], { seed: config.seed });
  const assembled = attachMap(assembleHierarchy(items, levels, runInfo(record)), map);
  const shown = withholdSmallClusters(assembled, config.min_cluster_size);
  if (shown.items.length === 0 && assembled.items.length > 0) {
    // A run that can show nothing has failed, whatever else went right: say why, exit non-zero.
    const largest = Math.max(...assembled.clusters.filter((c) => c.level === 0).map((c) => c.size));
    throw new ClioError(
      `min_cluster_size ${config.min_cluster_size} withholds every cluster: the largest base cluster has ${largest} items, so nothing is left to show; set min_cluster_size to at most ${largest}, or cluster more items with fewer base clusters`,
    );
  }
  record.counts.withheld = shown.run.counts.withheld;
  const keyed = keyAssembledRun(assembled, shown, items, vectors, keys);
  const warning =
    record.counts.withheld > 0
      ? `${record.counts.withheld} items withheld: their base clusters are smaller than min_cluster_size (${config.min_cluster_size})`
      : undefined;
  return { doc: keyed.doc, warning, centroids: keyed.centroids, keys: keyed.keys };
}
