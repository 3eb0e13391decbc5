import type { Embedder } from '../embed/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { SummarizedItem } from '../pipeline/types.js';
import {
  type CentroidsFile,
  centroidsFile,
  clusterCentroids,
  vectorSpace,
  withheldHash,
} from './centroids.js';
import { assignKeys } from './keys.js';
import type { MatchSide } from './match.js';

export interface KeyOptions {
  /** The run this one replaces (`readPreviousRun`): clusters that match its clusters keep their keys. */
  readonly previous?: MatchSide | undefined;
  /**
   * The run's embedder, for whether its vectors depend on the batch (`contextual`). Without it
   * this run's centroids are taken to compare with no other run's: wrongly comparing two runs'
   * TF-IDF spaces would pair clusters at random.
   */
  readonly embedder?: Pick<Embedder, 'contextual'> | undefined;
}

export interface KeyedRun {
  readonly doc: HierarchyDoc;
  /** Written (`centroidsOutput`) beside `hierarchy.json`. */
  readonly centroids: CentroidsFile;
  readonly keys: { readonly carried: number; readonly fresh: number };
}

/**
 * Stable keys and the centroids artifact for a freshly assembled run: `doc` holds what is shown,
 * and the ids of the items the privacy floor held back are recorded (hashed), so `extend` does not
 * offer them again, while the centroids describe only what the document shows.
 */
export function keyAssembledRun(
  doc: HierarchyDoc,
  withheld: readonly string[],
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  options: KeyOptions,
): KeyedRun {
  const vectorById = new Map(items.map((entry, i) => [entry.item.id, vectors[i]]));
  const centroids = {
    space: vectorSpace(
      doc.run.embedder,
      doc.run.runId,
      options.embedder ? options.embedder.contextual === true : true,
    ),
    byCluster: clusterCentroids(doc, (id) => vectorById.get(id)),
  };
  const keyed = assignKeys({ doc, centroids }, options.previous);
  return {
    doc: keyed.doc,
    centroids: centroidsFile(keyed.doc, centroids, withheld.map(withheldHash)),
    keys: { carried: keyed.carried, fresh: keyed.fresh },
  };
}
