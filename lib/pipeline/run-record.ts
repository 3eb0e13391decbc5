import { z } from 'zod';
import { runInfoSchema } from '../output/hierarchy-schema.js';
import type { Store } from '../store/types.js';

export const RUN_RECORD = 'run.json';

/** `run.json`: the run's status and bookkeeping, rewritten after every stage. */
export const runRecordSchema = runInfoSchema.extend({
  status: z.enum(['running', 'done', 'failed']),
  stage: z.string(),
  finishedAt: z.string().nullable(),
  error: z.string().nullable(),
});

export type RunRecord = z.infer<typeof runRecordSchema>;

export async function writeRunRecord(store: Store, record: RunRecord): Promise<void> {
  await store.write(RUN_RECORD, `${JSON.stringify(record, null, 2)}\n`);
}

export async function readRunRecord(store: Store): Promise<RunRecord | undefined> {
  const text = await store.read(RUN_RECORD);
  if (text === undefined) return undefined;
  return runRecordSchema.parse(JSON.parse(text));
}
