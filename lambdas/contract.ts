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
  /**
   * JSON array of URLs (origin, optionally with a path prefix) a run config's `base_url` keys
   * may point at: the deploy config's `allowedBaseUrls`. Unset: no `base_url` is allowed.
   */
  allowedBaseUrls: 'CLIO_ALLOWED_BASE_URLS',
} as const;

/**
 * The error name a handler throws for a failure worth another attempt (throttling, provider
 * rate limits, 5xx, dropped connections); the state machine retries it with backoff.
 */
export const TRANSIENT_ERROR = 'TransientError';

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
