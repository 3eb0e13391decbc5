import type { FacetValues } from '../facets/builtin.js';
import type { FailureCode } from '../llm/types.js';
import type { Item } from '../sources/types.js';

/** The partition every item goes to when the config defines none (as in the reference). */
export const DEFAULT_PARTITION = 'Default';

export interface SummarizedItem {
  readonly item: Item;
  readonly summary: string;
  readonly partition: string;
  /**
   * The config's question facets as the summary call answered them, joined by the built-ins
   * (itemFacets) before the item is clustered or placed.
   */
  readonly facets?: FacetValues;
}

export type FailureStage = 'source' | 'summarize' | 'embed' | 'name' | 'audit';

/** Something that could not be done for one item or cluster; recorded, reported, never hidden. */
export interface Failure {
  readonly stage: FailureStage;
  /** Item id, cluster id or file location. */
  readonly id: string;
  readonly reason: string;
  /** What kind of failure, where it is known (refusals are counted apart). */
  readonly code?: FailureCode | undefined;
}

/** Per-stage progress, for a progress bar locally and structured logs in a Lambda. */
export interface ProgressReporter {
  /** `total` counts the stage's parts (items, clusters); an internal step without parts has none. */
  start(stage: string, total?: number): void;
  tick(done: number): void;
  finish(): void;
  info(message: string): void;
  warn(message: string): void;
}

export const silentProgress: ProgressReporter = {
  start() {},
  tick() {},
  finish() {},
  info() {},
  warn() {},
};
