import { planHierarchy } from '../cluster/plan.js';
import type { ClioConfig } from '../config/index.js';
import { modelProfile } from '../llm/models.js';
import { BATCH_DISCOUNT } from '../llm/pricing.js';
import { emptyUsage, type Llm, type TaskKind, type TokenUsage } from '../llm/types.js';
import { nameClusterTask } from '../prompts/naming.js';
import { auditClusterTask } from '../prompts/privacy-audit.js';
import { type SummarizeInput, summarizeTask } from '../prompts/summarize.js';
import type { Item } from '../sources/types.js';
import type { RecordCache } from '../store/types.js';
import { ItemPrompts } from './item-prompts.js';
import type { CachedSummary } from './summarize.js';
import { summaryKeyFor } from './summarize.js';

/** Typical reply sizes of our tasks, in tokens (thinking included on models that think). */
const SUMMARY_REPLY = 60;
const NAME_REPLY = 80;
/** A summary as a naming prompt shows it, in 4.x tokens. */
const SUMMARY_TOKENS = 30;
/** Prompts the token-counting endpoint counts to calibrate the offline estimate. */
const COUNTED_SAMPLE = 20;
/** A cluster's name and two-sentence description, in tokens. */
const AUDIT_CLUSTER_TEXT = 80;
/** A rating, a reason and the generalized name and description. */
const AUDIT_REPLY = 140;

export interface StageEstimate {
  readonly stage: string;
  readonly calls: number;
  readonly usage: TokenUsage;
  /** Undefined when the model's price is unknown (see `model`). */
  readonly costUsd: number | undefined;
  /** The model the stage's calls go to. */
  readonly model?: string | undefined;
  /** How the input tokens were arrived at. */
  readonly basis?: string | undefined;
}

function priced(
  stage: string,
  kind: TaskKind,
  calls: number,
  input: number,
  output: number,
  llm: Llm,
  basis: string,
  discount = 1,
): StageEstimate {
  const usage = { ...emptyUsage(), inputTokens: input, outputTokens: output, requests: calls };
  const cost = llm.costOf?.(usage, kind);
  return {
    stage,
    calls,
    usage,
    costUsd: cost === undefined ? undefined : cost * discount,
    model: llm.modelFor?.(kind),
    basis,
  };
}

/**
 * Input tokens of the summary prompts. Offline: each request as built for the model, at four
 * characters a token times the model generation's tokenizer factor. With a key for the direct
 * API, the free token-counting endpoint counts a spread sample and the offline figure is scaled
 * by what it found.
 */
async function summaryInput(
  inputs: readonly SummarizeInput[],
  llm: Llm,
  config: ClioConfig,
): Promise<{ tokens: number; basis: string }> {
  const task = summarizeTask(config.partitions, config.facets);
  const estimate = llm.estimateInputTokens;
  if (!estimate) return { tokens: 0, basis: 'the offline provider bills nothing' };
  const each = inputs.map((input) => estimate.call(llm, task, input));
  const tokens = each.reduce((a, b) => a + b, 0);
  const offline = 'estimated offline: 4 characters a token × the model tokenizer factor';
  const count = llm.countInputTokens;
  if (!count || inputs.length === 0) return { tokens, basis: offline };
  const step = Math.max(1, Math.floor(inputs.length / COUNTED_SAMPLE));
  const picks = inputs
    .map((_, i) => i)
    .filter((i) => i % step === 0)
    .slice(0, COUNTED_SAMPLE);
  try {
    let counted = 0;
    let guessed = 0;
    for (const i of picks) {
      counted += await count.call(llm, task, inputs[i] as SummarizeInput);
      guessed += each[i] ?? 0;
    }
    const ratio = guessed > 0 ? counted / guessed : 1;
    return {
      tokens: Math.round(tokens * ratio),
      basis: `counted by the API's token-counting endpoint on ${picks.length} sampled prompts, scaled to all`,
    };
  } catch {
    return { tokens, basis: `${offline} (the token-counting endpoint did not answer)` };
  }
}

/**
 * What a `generate` run would spend, before spending it: the summary prompts of the items not yet
 * cached, built for the model and counted, and the naming and grouping calls the hierarchy
 * implies.
 */
export async function estimateRun(
  items: readonly Item[],
  config: ClioConfig,
  deps: { readonly llm: Llm; readonly cache: RecordCache<CachedSummary> },
): Promise<StageEstimate[]> {
  const keyOf = summaryKeyFor(deps.llm.id, {
    template: config.summary_prompt,
    partitions: config.partitions,
    facets: config.facets,
  });
  // Prompts as the run would send them: items with no text skipped, long ones cut to fit.
  const prompts = new ItemPrompts(config.summary_prompt, deps.llm.promptBudget?.('summarize'));
  const inputs = items
    .filter((item) => !deps.cache.get(keyOf(item)))
    .flatMap((item) => {
      const prompt = prompts.prepare(item);
      return 'rendered' in prompt
        ? [{ rendered: prompt.rendered, partitions: config.partitions }]
        : [];
    });
  const discount = config.llm.batch ? BATCH_DISCOUNT : 1;
  const summaries = await summaryInput(inputs, deps.llm, config);
  const calls = inputs.length;
  const stages = [
    priced(
      'summarize',
      'summarize',
      calls,
      summaries.tokens,
      calls * SUMMARY_REPLY,
      deps.llm,
      summaries.basis,
      discount,
    ),
  ];
  if (!deps.llm.generative) return stages;

  const naming = nameClusterTask.prompt({ members: [], contrast: [], keywords: [] });
  const perName = Math.ceil(naming.system.length / 4) + 16 * SUMMARY_TOKENS + 100;
  const [base = 1, ...upper] = planHierarchy(config.hierarchy, items.length).levels;
  let namingCalls = base;
  let namingInput = base * perName;
  let children = base;
  for (const parents of upper) {
    // Proposals per neighbourhood of ~40, one merge, one assignment per child, one rename per parent.
    const hoods = Math.max(1, Math.round(children / 40));
    namingCalls += hoods + 1 + children + parents;
    namingInput +=
      children * 60 * 2 +
      parents * 30 +
      children * (parents * 12 + 150) +
      parents * (perName + 200);
    children = parents;
  }
  const namingModel = deps.llm.modelFor?.('name');
  const factor = namingModel ? modelProfile(namingModel).tokenizerFactor : 1;
  stages.push(
    priced(
      'cluster',
      'name',
      namingCalls,
      Math.round(namingInput * factor),
      namingCalls * NAME_REPLY,
      deps.llm,
      'estimated offline from the hierarchy (calls per level × typical prompt sizes)',
    ),
  );
  if (config.privacy_audit) stages.push(auditEstimate(config, items.length, deps.llm, factor));
  return stages;
}

/**
 * The privacy audit: one call per cluster of every level (the partitions excepted), and a second
 * one for each cluster renamed; the estimate assumes a quarter are, which is on the high side.
 */
function auditEstimate(config: ClioConfig, items: number, llm: Llm, factor: number) {
  const levels = planHierarchy(config.hierarchy, items).levels;
  const audited = (config.partitions ? levels.slice(0, -1) : levels).reduce((a, b) => a + b, 0);
  const calls = Math.ceil(audited * 1.25);
  const prompt = auditClusterTask.prompt({ name: '', description: '' });
  const input = Math.ceil(prompt.system.length / 4) + AUDIT_CLUSTER_TEXT;
  return priced(
    'privacy audit',
    'audit',
    calls,
    Math.round(calls * input * factor),
    calls * AUDIT_REPLY,
    llm,
    'estimated offline: one call per cluster, a second for a quarter of them (renamed)',
  );
}
