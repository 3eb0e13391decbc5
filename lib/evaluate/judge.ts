import pLimit from 'p-limit';
import { emptyUsage, isFatal, type Llm, subtractUsage, type TokenUsage } from '../llm/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { type ProgressReporter, silentProgress } from '../pipeline/types.js';
import { estimatePlan } from './judge-estimate.js';
import { type Check, type PlanOptions, planJudgements, type Verdict } from './judge-plan.js';
import { type JudgeScores, scoreJudgements } from './judge-score.js';

/**
 * The LLM-as-judge metrics of `evaluate`:
 * - partition relevance (with partitions): the model picks the partition; pass = the item's own;
 * - hierarchical fit at every level: does the item belong in its cluster, given its name and
 *   description? (with partitions the top level is the partitions, judged as partition relevance);
 * - best fit: among its own base cluster and the k base clusters nearest the item by embedding,
 *   shown in a seeded order, the model picks the best; pass = its own;
 * - exclusive fit (the same call): the model also lists every other candidate the item fits;
 *   pass = its own cluster is the only one it fits;
 * - uniqueness, per level: each cluster is paired with its nearest neighbour by centroid (each
 *   pair once) and the model says whether the two are distinct; the score is the share of
 *   distinct pairs. Nearest pairs are where overlap shows first, so this is a strict measure.
 * Items are the seeded `eval_sample`; uniqueness always looks at every cluster.
 */

export interface JudgeReport extends JudgeScores {
  readonly status: 'judged';
  readonly llm: string;
  /** The model that answered (the provider's judging model); null when no call succeeded. */
  readonly model: string | null;
  readonly sample: { readonly items: number; readonly of: number; readonly seed: number };
  /** Clusters shown per best-fit question (own included); 0 with a single base cluster. */
  readonly candidates: number;
  readonly calls: number;
  /** Calls that never got a valid reply; each is counted as `failed` in its metrics. */
  readonly failedCalls: number;
  readonly usage: TokenUsage;
  /** USD at list prices; null when the model's price is unknown. */
  readonly costUsd: number | null;
}

export interface JudgeSkipped {
  readonly status: 'skipped';
  readonly reason: string;
}

export type JudgeResult = JudgeReport | JudgeSkipped;

export interface JudgeDeps {
  readonly llm: Llm;
  readonly concurrency: number;
  readonly progress?: ProgressReporter;
}

/** Why the judge cannot run with this LLM, or undefined when it can. */
export function judgeUnavailable(llm: Llm): string | undefined {
  if (llm.generative) return undefined;
  return (
    `the LLM-judge metrics need a generative LLM and this run uses ${llm.id}: set ` +
    '"llm": {"provider": "anthropic"} (or "bedrock"), or ANTHROPIC_API_KEY with the default "auto"'
  );
}

/**
 * Judges the sampled items and the cluster pairs of a run with the configured LLM, with bounded
 * concurrency. A judgement whose reply never validates is recorded as failed with its reason; a
 * spent budget or a rejected key stops the judging.
 */
export async function judgeRun(
  doc: HierarchyDoc,
  vectors: readonly Float32Array[],
  deps: JudgeDeps,
  options: PlanOptions,
): Promise<JudgeReport> {
  const progress = deps.progress ?? silentProgress;
  const plan = planJudgements(doc, vectors, options);
  const limit = pLimit(deps.concurrency);
  const outcomes: { check: Check; verdict: Verdict }[] = [];
  // The ledger has every billed response, retried and failed ones too: the report's bill is its.
  const before = deps.llm.ledger.summary().byKind.judge;
  let failedCalls = 0;
  let model: string | null = null;
  let done = 0;

  // Judging every item of a large run adds up: say what this one costs before spending it.
  const expected = estimatePlan(plan, deps.llm).reduce<number | undefined>(
    (sum, s) => (sum === undefined || s.costUsd === undefined ? undefined : sum + s.costUsd),
    0,
  );
  progress.info(
    `judge: ${plan.jobs.length} calls on ${plan.sample.length} of ${doc.items.length} items` +
      (expected === undefined ? '' : `, about $${expected.toFixed(2)} at list prices`) +
      (Object.keys(plan.facets).length > 0
        ? `, checking the facets ${Object.keys(plan.facets).join(', ')} in the base-level fit calls`
        : '') +
      (options.sample === null ? ' (set eval_sample to judge fewer)' : ''),
  );
  progress.start('judge', plan.jobs.length);
  await Promise.all(
    plan.jobs.map((job) =>
      limit(async () => {
        let verdicts: Verdict[];
        try {
          const reply = await job.run(deps.llm);
          model ??= reply.model;
          verdicts = reply.verdicts;
        } catch (error) {
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          failedCalls++;
          const reason = error instanceof Error ? error.message : String(error);
          verdicts = job.checks.map(() => ({ error: reason }));
        }
        job.checks.forEach((check, k) => {
          outcomes.push({ check, verdict: verdicts[k] ?? { error: 'no verdict' } });
        });
        progress.tick(++done);
      }),
    ),
  );
  progress.finish();
  const after = deps.llm.ledger.summary();
  const spent = after.byKind.judge;
  const usage = subtractUsage(spent?.usage ?? emptyUsage(), before?.usage ?? emptyUsage());
  const judgeModel = deps.llm.modelFor?.('judge');
  const priced = judgeModel === undefined || !after.unpriced.includes(judgeModel);

  return {
    status: 'judged',
    llm: deps.llm.id,
    model,
    sample: { items: plan.sample.length, of: doc.items.length, seed: options.seed },
    candidates: plan.candidates,
    calls: plan.jobs.length,
    failedCalls,
    usage,
    costUsd: priced ? (spent?.costUsd ?? 0) - (before?.costUsd ?? 0) : null,
    ...scoreJudgements(doc, plan, outcomes),
  };
}
