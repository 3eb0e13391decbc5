import type { Embedder } from '../embed/types.js';
import { type HierarchyDoc, hierarchySchema } from '../output/hierarchy-schema.js';
import type { Store } from '../store/types.js';
import { ClioError } from '../util/errors.js';
import { embeddingFit, type LevelFit } from './embedding-fit.js';
import { type LevelLabelReport, labelReport } from './labels.js';
import { evaluationMarkdown } from './report.js';

export const EVALUATION_FILES = { json: 'evaluation.json', report: 'evaluation.md' } as const;

export interface Evaluation {
  readonly evaluatedAt: string;
  readonly runId: string;
  readonly items: number;
  readonly embedder: string;
  /** Embedding-based fit per level (no model needed). */
  readonly fit: LevelFit[];
  /** Agreement with ground-truth labels per level, when items carry labels. */
  readonly labels: LevelLabelReport[] | null;
}

/** Reads and validates the `hierarchy.json` a `generate` run left in the store. */
export async function readHierarchy(store: Store): Promise<HierarchyDoc> {
  const text = await store.read('hierarchy.json');
  if (text === undefined) {
    throw new ClioError(
      `no hierarchy.json in ${store.location}; run "open-clio generate" with this config first`,
    );
  }
  const parsed = hierarchySchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ClioError(
      `${store.location}/hierarchy.json is not a hierarchy this version can read: ${parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * Scores a run: embedding fit at every level and, when items carry labels, NMI / ARI / purity
 * with a confusion summary. Writes `evaluation.json` and a Markdown report next to the run.
 */
export async function evaluateRun(
  store: Store,
  deps: { readonly embedder: Embedder; readonly now?: () => Date },
): Promise<{ evaluation: Evaluation; files: string[] }> {
  const doc = await readHierarchy(store);
  const vectors = await deps.embedder.embed(doc.items.map((item) => item.summary));
  const evaluation: Evaluation = {
    evaluatedAt: (deps.now?.() ?? new Date()).toISOString(),
    runId: doc.run.runId,
    items: doc.items.length,
    embedder: deps.embedder.id,
    fit: embeddingFit(doc, vectors),
    labels: labelReport(doc) ?? null,
  };
  await store.write(EVALUATION_FILES.json, `${JSON.stringify(evaluation, null, 2)}\n`);
  await store.write(EVALUATION_FILES.report, evaluationMarkdown(evaluation, doc));
  return { evaluation, files: [EVALUATION_FILES.json, EVALUATION_FILES.report] };
}
