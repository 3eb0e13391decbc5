import type { ClioConfig } from '../../config/index.js';
import type { Embedder } from '../../embed/types.js';
import type { Llm } from '../../llm/types.js';
import type { HierarchyDoc } from '../../output/hierarchy-schema.js';
import type { LoadedItems } from '../../sources/types.js';
import type { Store } from '../../store/types.js';
import type { RunRecord } from '../run-record.js';

/** Where finished runs and their records go besides the artifacts store (DynamoDB on AWS). */
export interface RunIndex {
  putRun(record: RunRecord): Promise<void>;
  putHierarchy(doc: HierarchyDoc): Promise<void>;
}

/** What every step needs; the Lambdas build it from their environment, tests from temp dirs. */
export interface StagedDeps {
  /** The artifacts store; each run lives under `runs/<runId>/`. */
  readonly artifacts: Store;
  /** Where uploaded configs (and file sources next to them) are read from. */
  readonly configs: Store;
  readonly createEmbedder: (config: ClioConfig) => Embedder;
  /**
   * The run's provider. Every step of one run gets its own instance; `runId` lets the
   * executor share the run's budget between them (a DynamoDB item on AWS).
   */
  readonly createLlm: (config: ClioConfig, embedder: Embedder, run?: { runId: string }) => Llm;
  /** Replaces the configured source (tests, or a runner that already holds the items). */
  readonly loadItems?: (config: ClioConfig, now: Date) => Promise<LoadedItems>;
  readonly runIndex?: RunIndex;
  /** Publishes a finished run for the explorer. */
  readonly publish?: (doc: HierarchyDoc) => Promise<void>;
  readonly now?: () => Date;
  /** Items per Summarize batch. Default 100. */
  readonly batchSize?: number;
}
