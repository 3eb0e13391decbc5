import { prepareInputSchema, prepareRun } from '../lib/pipeline/staged/index.js';
import { stepHandler } from './runtime.js';

/** Prepare: validate the uploaded config, load and sample its items, write them in batches. */
export const handler = stepHandler('prepare', prepareInputSchema, prepareRun);
