import { summarizeBatch, summarizeBatchInputSchema } from '../lib/pipeline/staged/index.js';
import { stepHandler } from './runtime.js';

/** Summarize: one Distributed Map child, one batch of items (resumes from its cache). */
export const handler = stepHandler('summarize-batch', summarizeBatchInputSchema, summarizeBatch, {
  measure: (out) => ({
    itemsSummarized: out.summarized,
    itemsFailed: out.failed,
    summariesReused: out.reused,
  }),
});
