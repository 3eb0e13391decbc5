import { finalizeInputSchema, finalizeRun } from '../lib/pipeline/staged/index.js';
import { stepHandler } from './runtime.js';

/** Finalize: outputs to S3, hierarchy to DynamoDB, the run published, marked done. */
export const handler = stepHandler('finalize', finalizeInputSchema, finalizeRun);
