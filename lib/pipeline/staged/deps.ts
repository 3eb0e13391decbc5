import type { ClioConfig } from '../../config/index.js';
import type { Embedder } from '../../embed/types.js';
import type { ClaudeBatches } from '../../llm/batch.js';
import type { Llm } from '../../llm/types.js';
import type { HierarchyDoc } from '../../output/hierarchy-schema.js';
import type { LangSmithClient } from '../../sources/langsmith/index.js';
import type { LoadedItems } from '../../sources/types.js';
import type { RecordCache, Store } from '../../store/types.js';
import type { AlertThresholds, TrendAlert } from '../../trends/alerts.js';
import type { RunSummary } from '../../trends/history.js';
import type { RunRecord } from '../run-record.js';
import type { CachedSummary } from '../summarize.js';
import type { ProgressReporter } from '../types.js';
import type { ThreadStagingOptions } from './thread-batches.js';

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
  /**
   * Told the run id as soon as Prepare created the run, before anything can fail: the executor
   * notes which of its executions the run belongs to, to close it if the execution ends where
   * no step could.
   */
  readonly runCreated?: (runId: string) => Promise<void>;
  /**
   * Publishes a finished run for the explorer, with the kept runs of its config (oldest first,
   * the run itself last) for the Trends view.
   */
  readonly publish?: (doc: HierarchyDoc, history: readonly RunSummary[]) => Promise<void>;
  /**
   * Told when clusters of a finished run emerged or grew against the config's run before
   * (`thresholds`); absent: nobody is told.
   */
  readonly trendAlerts?: {
    readonly thresholds: AlertThresholds;
    send(alert: TrendAlert, run: { readonly configKey?: string | undefined }): Promise<void>;
  };
  readonly now?: () => Date;
  /** Items per Summarize batch. Default 100. */
  readonly batchSize?: number;
  /**
   * The store of one run.
   * @default the `runs/<runId>/` prefix of `artifacts`
   */
  readonly runStore?: (runId: string) => Store;
  /**
   * The summary cache one batch reads and writes, by the batch's cache key.
   * @default the per-batch object at that key in `artifacts` (`runs/_cache/summaries/…`)
   */
  readonly openSummaryCache?: (key: string) => Promise<RecordCache<CachedSummary>>;
  /**
   * Message Batches for the summaries, bound to the step's provider; absent: `llm.batch` is
   * refused at Prepare rather than ignored.
   */
  readonly createSummaryBatches?: (config: ClioConfig, llm: Llm) => ClaudeBatches | undefined;
  /**
   * Where per-text embedders embed: in the Summarize batches (parallel Lambdas) or all at once
   * in ClusterLevel 0 (one process: one progress bar). Contextual embedders always do the latter.
   * @default 'summarize'
   */
  readonly embedIn?: 'summarize' | 'cluster';
  /**
   * Whether a Summarize step waits for its Message Batches (in process) or throws
   * `BatchPending` to be retried later (a Lambda must not wait for hours).
   * @default true
   */
  readonly waitForBatchResults?: boolean;
  /** Progress and messages: a bar locally, structured logs in a Lambda. */
  readonly progress?: ProgressReporter;
  /** Reads a config's `source.file`. @default from `configs` */
  readonly readSourceFile?: (path: string) => Promise<string | Uint8Array>;
  /**
   * The client of a LangSmith dataset or project source.
   * @default one from the environment (and `.env`)
   */
  readonly langsmith?: LangSmithClient;
  /**
   * How Prepare pages and stages a tracing window (sub-windows, shards, group size).
   * @default sizes that keep a 100k-thread window well inside a Prepare Lambda
   */
  readonly threadStaging?: ThreadStagingOptions;
}
