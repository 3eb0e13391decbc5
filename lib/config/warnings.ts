import Mustache from 'mustache';
import { planHierarchy } from '../cluster/plan.js';
import type { ClioConfig } from './schema.js';

type PromptKeys = Pick<ClioConfig, 'summary_prompt'> & {
  llm?: Pick<ClioConfig['llm'], 'temperature'>;
};
type WarningKeys = Pick<ClioConfig, 'summary_prompt' | 'hierarchy' | 'partitions' | 'sample'>;

/** Warnings that need no data: a summary prompt with no tag summarizes the same text every time. */
export function staticConfigWarnings(config: PromptKeys): string[] {
  let tokens: unknown[];
  try {
    tokens = Mustache.parse(config.summary_prompt);
  } catch {
    return []; // parseConfig already rejected it
  }
  const warnings: string[] = [];
  if (!tokens.some((t) => Array.isArray(t) && t[0] !== 'text')) {
    warnings.push(
      '`summary_prompt` has no {{…}} tag, so the LLM never sees the item; include e.g. {{example.inputs}} or {{run.inputs}}',
    );
  }
  if (config.llm?.temperature !== undefined) {
    warnings.push(
      '`llm.temperature` is deprecated and ignored: current Claude models take no temperature (and the reference OpenCLIO has no such key); remove it from the config',
    );
  }
  return warnings;
}

/** What the source gave: items it holds, and items in the run after `sample`. */
export interface ItemCounts {
  readonly loaded: number;
  readonly sampled: number;
}

/**
 * Advice once the number of items is known. These do not stop a run: k-means copes, the
 * clusters are just less useful. Includes staticConfigWarnings. A hierarchy too large for the
 * items gets one warning with the counts asked and used (see `planHierarchy`).
 */
export function configWarnings(config: WarningKeys, counts: ItemCounts): string[] {
  const warnings = staticConfigWarnings(config);
  const { hierarchy, partitions, sample } = config;
  const itemCount = counts.sampled;
  if (sample !== null && sample > counts.loaded) {
    warnings.push(
      `\`sample\` ${sample} is more than the ${counts.loaded} items; using all of them`,
    );
  }
  const base = hierarchy[0];
  const root = Math.sqrt(itemCount);
  const guideline =
    base !== undefined && itemCount > 0 && base > root
      ? `the guideline is base level ≤ √(number of items): √${itemCount} ≈ ${root.toFixed(1)}, i.e. at most ${Math.max(1, Math.floor(root))}`
      : undefined;
  const plan = planHierarchy(hierarchy, itemCount);
  if (plan.warning) warnings.push(guideline ? `${plan.warning}; ${guideline}` : plan.warning);
  else if (guideline) warnings.push(`\`hierarchy[0]\` is ${base}; ${guideline}`);
  const top = hierarchy.at(-1);
  if (partitions !== null && top !== undefined) {
    const count = Object.keys(partitions).length;
    if (top !== count) {
      warnings.push(
        `the top level of \`hierarchy\` has ${top} clusters but \`partitions\` has ${count}; the guideline is to match them`,
      );
    }
  }
  return warnings;
}
