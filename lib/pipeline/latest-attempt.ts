import { z } from 'zod';
import { OUTPUT_FILES } from '../output/write.js';
import type { Store } from '../store/types.js';
import { RUN_RECORD, type RunRecord, runRecordSchema } from './run-record.js';

/** Just the run id of a `hierarchy.json`, without validating the whole (large) document. */
const hierarchyRunSchema = z.object({ run: z.object({ runId: z.string() }) });

/** `run.json` as it is, or undefined when it is missing or unreadable (an older version's). */
export async function readLatestAttempt(store: Store): Promise<RunRecord | undefined> {
  const text = await store.read(RUN_RECORD);
  if (text === undefined) return undefined;
  try {
    const parsed = runRecordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How a run that is not done stands, for a sentence. */
function howItStands(record: RunRecord): string {
  switch (record.status) {
    case 'interrupted':
      return `interrupted during ${record.stage}`;
    case 'running':
      return `still running, or killed during ${record.stage}`;
    default:
      return `${record.status}${record.error ? `: ${record.error}` : ''}`;
  }
}

/**
 * `run.json` describes the latest attempt from the moment it starts, while `hierarchy.json`, the
 * CSVs and `previous/` change only when a run finishes, all at once. When the latest attempt did
 * not finish, they still hold the previous complete run: the sentence that says so, for the
 * commands that read them (`verb`: what the command does with that run). Undefined when the
 * outputs are the latest attempt's, or there are none.
 */
export async function unfinishedAttemptNote(
  store: Store,
  verb = 'showing',
): Promise<string | undefined> {
  const latest = await readLatestAttempt(store);
  if (!latest || latest.status === 'done') return undefined;
  const text = await store.read(OUTPUT_FILES.hierarchy);
  if (text === undefined) return undefined;
  let shown: string;
  try {
    shown = hierarchyRunSchema.parse(JSON.parse(text)).run.runId;
  } catch {
    return undefined;
  }
  if (shown === latest.runId) return undefined;
  return `the latest run (started ${latest.createdAt}) did not finish (${howItStands(latest)}); ${verb} the previous complete run ${shown}`;
}
