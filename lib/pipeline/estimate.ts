import type { ClioConfig } from '../config/index.js';
import { BATCH_DISCOUNT } from '../llm/pricing.js';
import { emptyUsage, type Llm, type TaskKind, type TokenUsage } from '../llm/types.js';
import { nameClusterTask } from '../prompts/naming.js';
import { renderSummaryPrompt } from '../prompts/render.js';
import { summarizeTask } from '../prompts/summarize.js';
import type { Item } from '../sources/types.js';
import type { RecordCache } from '../store/types.js';
import type { CachedSummary } from './summarize.js';
import { summaryKeyFor } from './summarize.js';

/** About four characters a token for English prose and JSON. */
const tokens = (chars: number) => Math.ceil(chars / 4);
/** Typical reply sizes of our tools, in tokens. */
const SUMMARY_REPLY = 60;
const NAME_REPLY = 80;
/** A summary as a naming prompt shows it. */
const SUMMARY_TOKENS = 30;

export interface StageEstimate {
  readonly stage: string;
  readonly calls: number;
  readonly usage: TokenUsage;
  readonly costUsd: number | undefined;
}

function estimate(
  stage: string,
  kind: TaskKind,
  calls: number,
  input: number,
  output: number,
  llm: Llm,
  discount = 1,
) {
  const usage = { ...emptyUsage(), inputTokens: input, outputTokens: output, requests: calls };
  const cost = llm.costOf?.(usage, kind);
  return { stage, calls, usage, costUsd: cost === undefined ? undefined : cost * discount };
}

/**
 * What a `generate` run would spend, before spending it: the summary prompts of the items not yet
 * cached, rendered and counted, and the naming and grouping calls the hierarchy implies.
 */
export function estimateRun(
  items: readonly Item[],
  config: ClioConfig,
  deps: { readonly llm: Llm; readonly cache: RecordCache<CachedSummary> },
): StageEstimate[] {
  const task = summarizeTask(config.partitions);
  const keyOf = summaryKeyFor(deps.llm.id, {
    template: config.summary_prompt,
    partitions: config.partitions,
  });
  let calls = 0;
  let input = 0;
  for (const item of items) {
    if (deps.cache.get(keyOf(item))) continue;
    const prompt = task.prompt({
      rendered: renderSummaryPrompt(config.summary_prompt, item),
      partitions: config.partitions,
    });
    calls++;
    input += tokens(prompt.system.length + prompt.user.length) + 100;
  }
  const discount = config.llm.batch ? BATCH_DISCOUNT : 1;
  const stages = [
    estimate('summarize', 'summarize', calls, input, calls * SUMMARY_REPLY, deps.llm, discount),
  ];
  if (!deps.llm.generative) return stages;

  const naming = nameClusterTask.prompt({ members: [], contrast: [], keywords: [] });
  const perName = tokens(naming.system.length) + 16 * SUMMARY_TOKENS + 100;
  const [base = 1, ...upper] = config.hierarchy;
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
  stages.push(
    estimate('cluster', 'name', namingCalls, namingInput, namingCalls * NAME_REPLY, deps.llm),
  );
  return stages;
}
