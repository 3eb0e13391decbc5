import type { Level } from '../cluster/types.js';
import type { CentroidsFile } from '../compare/centroids.js';
import { type KeyOptions, keyAssembledRun } from '../compare/run-keys.js';
import type { ClioConfig } from '../config/index.js';
import { assembleHierarchy } from '../output/assemble.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { attachMap, projectItems } from '../output/projection.js';
import { shownRun } from '../privacy/shown.js';
import { ClioError } from '../util/errors.js';
import { type RunRecord, runInfo } from './run-record.js';
import type { SummarizedItem } from './types.js';

/**
 * The finished document of a run, the same for every runner: what the privacy floor and audit
 * left shown (counted in the record), with its 2-D map computed from the shown items alone, and
 * a stable key on every cluster (carried over from `keys.previous` where a cluster matches one of
 * its clusters), carrying the record's run info. Also the centroids artifact to write beside
 * `hierarchy.json`.
 */
export function assembleRun(
  items: readonly SummarizedItem[],
  levels: readonly Level[],
  vectors: readonly Float32Array[],
  record: RunRecord,
  config: Pick<ClioConfig, 'seed'>,
  keys: KeyOptions = {},
): {
  doc: HierarchyDoc;
  centroids: CentroidsFile;
  keys: { carried: number; fresh: number };
} {
  const shown = shownRun(items, vectors, levels);
  if (shown.items.length === 0 && items.length > 0) {
    throw new ClioError(
      'the privacy audit withholds every cluster, so nothing is left to show (see the failures and run.privacy in run.json)',
    );
  }
  record.counts.withheld = shown.withheldIds.length;
  const map = projectItems(shown.vectors, shown.levels[0] ?? [], { seed: config.seed });
  const doc = attachMap(assembleHierarchy(shown.items, shown.levels, runInfo(record)), map);
  const keyed = keyAssembledRun(doc, shown.withheldIds, shown.items, shown.vectors, keys);
  return { doc: keyed.doc, centroids: keyed.centroids, keys: keyed.keys };
}
