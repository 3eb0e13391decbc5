import { modelProfile } from '../llm/models.js';
import { estimateTokens } from '../llm/rate-limit.js';
import { emptyUsage, type Llm } from '../llm/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { StageEstimate } from '../pipeline/estimate.js';
import { FACET_ANSWER_TOKENS } from '../prompts/facet-answers.js';
import { type JudgePlan, type JudgeStage, type PlanOptions, planJudgements } from './judge-plan.js';

/** The tool definition and message framing each call adds to its prompt, in tokens. */
const CALL_OVERHEAD = 150;
/** A verdict with a one-sentence reason, as our judge tools return it. */
const REPLY_TOKENS = 60;

/**
 * What judging a run would cost, before spending anything: the judge prompts of the sampled
 * items rendered and counted, per kind of question (best fit answers exclusive fit in the same
 * call). Nothing is embedded, so the best-fit candidates and uniqueness pairs are stand-ins of
 * the same number and size as the real ones.
 */
export function estimateJudging(
  doc: HierarchyDoc,
  llm: Llm,
  options: PlanOptions,
): { items: number; stages: StageEstimate[] } {
  const plan = planJudgements(doc, undefined, options);
  return { items: plan.sample.length, stages: estimatePlan(plan, llm) };
}

/** The expected calls, tokens and list-price cost of a plan's calls, per kind of question. */
export function estimatePlan(plan: JudgePlan, llm: Llm): StageEstimate[] {
  const model = llm.modelFor?.('judge');
  // The 5.x tokenizer makes about 30 % more tokens of the same text.
  const factor = model ? modelProfile(model).tokenizerFactor : 1;
  const stages = new Map<JudgeStage, { calls: number; input: number; output: number }>();
  for (const job of plan.jobs) {
    const prompt = job.prompt();
    const stage = stages.get(job.stage) ?? { calls: 0, input: 0, output: 0 };
    stage.calls++;
    // A checked facet lengthens the reply as it lengthens a summary's.
    stage.output += REPLY_TOKENS + job.facets * FACET_ANSWER_TOKENS;
    stage.input += Math.ceil(
      (estimateTokens(prompt.system.length + prompt.user.length, 0) + CALL_OVERHEAD) * factor,
    );
    stages.set(job.stage, stage);
  }
  return [...stages].map(([stage, { calls, input, output }]) => {
    const usage = {
      ...emptyUsage(),
      inputTokens: input,
      outputTokens: output,
      requests: calls,
    };
    const basis = 'estimated offline: 4 characters a token × the model tokenizer factor';
    return { stage, calls, usage, costUsd: llm.costOf?.(usage, 'judge'), model, basis };
  });
}
