import { recordFromDoc } from '../compare/previous.js';
import type { Llm } from '../llm/types.js';
import type { Extension, HierarchyDoc } from '../output/hierarchy-schema.js';
import { addSpend, type RunRecord } from '../pipeline/run-record.js';
import type { Placement } from './place.js';

export const EXTENSIONS_DIR = 'extensions';

/** The report of extension `number`: every candidate item's outcome. */
export const extensionReport = (number: number) => `${EXTENSIONS_DIR}/${number}.json`;

/**
 * The record to extend: `run.json` when it is the hierarchy's own run, else (a later run that
 * failed has overwritten it) one made from the run info the hierarchy carries.
 */
export function recordOf(stored: RunRecord | undefined, doc: HierarchyDoc): RunRecord {
  return stored?.runId === doc.run.runId ? stored : recordFromDoc(doc);
}

export interface ExtensionFacts {
  readonly at: Date;
  readonly source: string;
  readonly window: { start: Date; end: Date } | undefined;
  readonly llm: Llm;
  readonly embedder: string;
  readonly fence: number;
  readonly candidates: number;
  readonly placements: readonly Placement[];
}

/**
 * Adds the extension to the record's history, its placed items to `counts.clustered` and its
 * usage and cost to the run's, and returns the history entry.
 */
export function recordExtension(record: RunRecord, facts: ExtensionFacts): Extension {
  const count = (status: Placement['status']) =>
    facts.placements.filter((p) => p.status === status).length;
  // The extend run's own ledger: every response it was billed for, failed ones included.
  const spend = facts.llm.ledger.summary();
  const number = (record.extensions?.length ?? 0) + 1;
  const extension: Extension = {
    at: facts.at.toISOString(),
    source: facts.source,
    window: facts.window
      ? { start: facts.window.start.toISOString(), end: facts.window.end.toISOString() }
      : null,
    llm: facts.llm.id,
    embedder: facts.embedder,
    confirmedByModel: facts.llm.generative,
    fence: facts.fence,
    counts: {
      candidates: facts.candidates,
      placed: count('placed'),
      poorFit: count('poor-fit'),
      rejected: count('rejected'),
      failed: count('failed'),
    },
    usage: spend.usage,
    costUsd: spend.costUsd,
    report: extensionReport(number),
  };
  record.extensions = [...(record.extensions ?? []), extension];
  record.counts.clustered += extension.counts.placed;
  addSpend(record, spend, 'extend');
  return extension;
}
