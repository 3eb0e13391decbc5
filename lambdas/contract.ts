/**
 * What the CDK stack and the Lambda handlers must agree on: environment variable names, the
 * error name the state machine retries, the secret placeholder and the explorer's data layout.
 * Plain constants, so the CDK app can import them without loading any runtime code.
 */

/** Environment variables the stack sets on the functions (each only those it needs). */
export const ENV = {
  artifactsBucket: 'CLIO_ARTIFACTS_BUCKET',
  configsBucket: 'CLIO_CONFIGS_BUCKET',
  siteBucket: 'CLIO_SITE_BUCKET',
  tableName: 'CLIO_TABLE_NAME',
  /** JSON object: environment variable name → Secrets Manager ARN holding its value. */
  secretArns: 'CLIO_SECRET_ARNS',
  batchSize: 'CLIO_BATCH_SIZE',
  /** The stack's name: a metric dimension, so two deployments in one account stay apart. */
  deployment: 'CLIO_DEPLOYMENT',
  /**
   * JSON array of URLs (origin, optionally with a path prefix) a run config's `base_url` keys
   * may point at: the deploy config's `allowedBaseUrls`. Unset: no `base_url` is allowed.
   */
  allowedBaseUrls: 'CLIO_ALLOWED_BASE_URLS',
  /** The SNS topic told when a run's clusters emerge or grow (the deploy config's `trendAlerts`). */
  trendTopicArn: 'CLIO_TREND_TOPIC_ARN',
  /** JSON `{minPoints, minRatio}`: what counts as growing for those alerts. */
  trendThresholds: 'CLIO_TREND_THRESHOLDS',
  /** The explorer's address, for links in the alerts. */
  explorerUrl: 'CLIO_EXPLORER_URL',
} as const;

/**
 * The error name a handler throws for a failure worth another attempt (throttling, provider
 * rate limits, 5xx, dropped connections); the state machine retries it with backoff.
 */
export const TRANSIENT_ERROR = 'TransientError';

/**
 * Errors no redrive can fix: the run's config, its data or its budget is what stops it (a
 * redrive reuses the same input and the config saved with the run). The state machine sends
 * only these to MarkFailed; every other error fails the execution at the state that raised it,
 * where a redrive resumes the run after the cause is fixed (a deploy, a key, a quota).
 */
export const FINAL_ERRORS = [
  'ConfigError',
  'ConfigFileError',
  'ClioError',
  'SourceError',
  'BudgetExceededError',
  'InvalidEventError',
] as const;

/** Where the Summarize map writes its children's results (one folder per Map Run). */
export const MAP_RESULTS_PREFIX = 'map-results/';

/** The error name of a Summarize step whose Message Batches are still processing: retried on a timer. */
export const BATCH_PENDING_ERROR = 'BatchPending';

/** The value a secret the stack created holds until an operator sets the real key. */
export const SECRET_PLACEHOLDER = 'REPLACE_ME';

/**
 * The explorer's data in the site bucket, under `data/`: an index of finished runs and each
 * run's `hierarchy.json`, served by CloudFront at `/data/...`.
 */
export const SITE_DATA = {
  prefix: 'data/',
  /** The runs index and each run's files follow the explorer's format (lib/viz/format.ts). */
  index: 'runs.json',
  run: (runId: string) => `${runId}/index.json`,
} as const;

/**
 * The pipeline's own CloudWatch metrics: written by the step functions as Embedded Metric Format
 * log lines, read by the dashboard and the partial-failure alarm. Every metric carries the
 * dimensions `service` and `deployment` (the stack's name) and nothing finer: a run id would
 * make one metric per run, so it travels as EMF metadata (searchable in Logs Insights) instead.
 */
export const TELEMETRY = {
  namespace: 'OpenCLIO',
  service: 'open-clio',
  dimensions: { service: 'service', deployment: 'deployment' },
} as const;

/** CloudWatch has no currency unit: a cost is `None`, in US dollars. */
type MetricSpec = { readonly name: string; readonly unit: 'Count' | 'None' };

/** Each metric, the step that emits it and what one data point means. */
export const METRIC = {
  /** SummarizeBatch: summaries the batch holds (cached ones included). */
  itemsSummarized: { name: 'ItemsSummarized', unit: 'Count' },
  /** SummarizeBatch: items of the batch the LLM could not summarize (refusals included). */
  itemsFailed: { name: 'ItemsFailed', unit: 'Count' },
  /** SummarizeBatch: summaries taken from the cache instead of paid for. */
  summariesReused: { name: 'SummariesReused', unit: 'Count' },
  /** Finalize: 1 per run that finished (its hierarchy published). */
  runsFinished: { name: 'RunsFinished', unit: 'Count' },
  /** Finalize: 1 per finished run that lost whole batches, 0 per clean one. */
  runsPartiallyFailed: { name: 'RunsPartiallyFailed', unit: 'Count' },
  /** Finalize: items in the finished run's hierarchy. */
  runItems: { name: 'RunItems', unit: 'Count' },
  /** Finalize: items of the finished run left out (not summarized or embedded). */
  runFailedItems: { name: 'RunFailedItems', unit: 'Count' },
  /** Finalize: Summarize batches that failed after their retries (tolerated by the Map). */
  runFailedBatches: { name: 'RunFailedBatches', unit: 'Count' },
  /**
   * Finalize, MarkFailed or CloseRun: LLM input tokens of a run that ended (finished, failed or
   * stopped), counted once: a redriven run adds only what it spent since it failed.
   */
  inputTokens: { name: 'InputTokens', unit: 'Count' },
  /** The same for output tokens. */
  outputTokens: { name: 'OutputTokens', unit: 'Count' },
  /** The same for the priced LLM cost, in US dollars. */
  costUsd: { name: 'CostUsd', unit: 'None' },
  /** MarkFailed or CloseRun: 1 per run that failed, timed out or was stopped (budget, abort). */
  runsFailed: { name: 'RunsFailed', unit: 'Count' },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRIC;
