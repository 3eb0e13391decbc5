export { clusterLevel, clusterLevelInputSchema } from './cluster-level.js';
export type { RunIndex, StagedDeps } from './deps.js';
export { finalizeInputSchema, finalizeRun } from './finalize.js';
export { failureReason, markFailed, markFailedInputSchema, reopenRun } from './mark-failed.js';
export { prepareConfiguredRun, prepareInputSchema, prepareRun } from './prepare.js';
export { readRunConfig, summarizeBatch, summarizeBatchInputSchema } from './summarize-batch.js';
export type * from './types.js';
