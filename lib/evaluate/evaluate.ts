import type { FacetSpecs } from '../config/facets.js';
import type { Embedder } from '../embed/types.js';
import type { Llm } from '../llm/types.js';
import { type HierarchyDoc, hierarchySchema } from '../output/hierarchy-schema.js';
import { unfinishedAttemptNote } from '../pipeline/latest-attempt.js';
import type { ProgressReporter } from '../pipeline/types.js';
import type { Store } from '../store/types.js';
import { ClioError } from '../util/errors.js';
import { embeddingFit, type LevelFit } from './embedding-fit.js';
import { type JudgeResult, judgeRun, judgeUnavailable } from './judge.js';
import { type LevelLabelReport, labelReport } from './labels.js';
import { evaluationMarkdown } from './report.js';
import type { WriteBackSummary } from './write-back.js';

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
  /** The LLM-judge metrics, or why they were not computed. */
  readonly judge: JudgeResult;
  /** What `--write-back` recorded in LangSmith; null without it. */
  readonly writeBack: WriteBackSummary | null;
}

/** How to judge: the LLM and the `eval_sample` of items, or why not to. */
export type JudgeSettings =
  | {
      readonly llm: Llm;
      readonly concurrency: number;
      readonly sample: number | null;
      readonly seed: number;
      /** `eval_facets`: the question facets whose answers the judge checks. */
      readonly facets?: FacetSpecs;
    }
  | { readonly skip: string };

export interface EvaluateDeps {
  readonly embedder: Embedder;
  /** Default: skipped (no LLM given). */
  readonly judge?: JudgeSettings;
  /** Runs after scoring and before the files are written, so they record its outcome. */
  readonly writeBack?: (doc: HierarchyDoc, judge: JudgeResult) => Promise<WriteBackSummary>;
  readonly progress?: ProgressReporter;
  readonly now?: () => Date;
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
 * Scores a run: embedding fit at every level, NMI / ARI / purity with a confusion summary when
 * items carry labels, and the LLM-judge metrics when a generative LLM is given. Writes
 * `evaluation.json` and a Markdown report next to the run.
 */
export async function evaluateRun(
  store: Store,
  deps: EvaluateDeps,
): Promise<{ evaluation: Evaluation; files: string[] }> {
  const doc = await readHierarchy(store);
  const unfinished = await unfinishedAttemptNote(store, 'evaluating');
  if (unfinished) deps.progress?.warn(unfinished);
  deps.progress?.start('embed summaries');
  const vectors = await deps.embedder.embed(doc.items.map((item) => item.summary));
  deps.progress?.finish();
  const judge = await judgeOrSkip(doc, vectors, deps);
  const evaluation: Evaluation = {
    evaluatedAt: (deps.now?.() ?? new Date()).toISOString(),
    runId: doc.run.runId,
    items: doc.items.length,
    embedder: deps.embedder.id,
    fit: embeddingFit(doc, vectors),
    labels: labelReport(doc) ?? null,
    judge,
    writeBack: deps.writeBack ? await deps.writeBack(doc, judge) : null,
  };
  await store.write(EVALUATION_FILES.json, `${JSON.stringify(evaluation, null, 2)}\n`);
  await store.write(EVALUATION_FILES.report, evaluationMarkdown(evaluation, doc));
  return { evaluation, files: [EVALUATION_FILES.json, EVALUATION_FILES.report] };
}

async function judgeOrSkip(
  doc: HierarchyDoc,
  vectors: readonly Float32Array[],
  deps: EvaluateDeps,
): Promise<JudgeResult> {
  const settings = deps.judge ?? { skip: 'no LLM was given to judge with' };
  if ('skip' in settings) return { status: 'skipped', reason: settings.skip };
  const unavailable = judgeUnavailable(settings.llm);
  if (unavailable) return { status: 'skipped', reason: unavailable };
  return judgeRun(
    doc,
    vectors,
    { llm: settings.llm, concurrency: settings.concurrency, progress: deps.progress },
    { sample: settings.sample, seed: settings.seed, facets: settings.facets },
  );
}
