import Mustache from 'mustache';
import type { ClioConfig } from './schema.js';

type PromptKeys = Pick<ClioConfig, 'summary_prompt'> & {
  llm?: Pick<ClioConfig['llm'], 'temperature'>;
};
type WarningKeys = Pick<ClioConfig, 'summary_prompt' | 'hierarchy' | 'partitions'>;

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
      '`llm.temperature` is ignored: the current Anthropic API version takes no temperature',
    );
  }
  return warnings;
}

/**
 * Advice once the number of items is known. These do not stop a run: k-means copes, the
 * clusters are just less useful. Includes staticConfigWarnings.
 */
export function configWarnings(config: WarningKeys, itemCount: number): string[] {
  const warnings = staticConfigWarnings(config);
  const { hierarchy, partitions } = config;
  const base = hierarchy[0];
  const root = Math.sqrt(itemCount);
  if (base !== undefined && itemCount > 0 && base > root) {
    warnings.push(
      `\`hierarchy[0]\` is ${base} but √${itemCount} items ≈ ${root.toFixed(1)}; the guideline is base level ≤ √(number of items), i.e. at most ${Math.max(1, Math.floor(root))}`,
    );
  }
  hierarchy.forEach((level, i) => {
    if (level > itemCount) {
      warnings.push(
        `\`hierarchy[${i}]\` asks for ${level} clusters but there are only ${itemCount} items; there will be at most ${itemCount}`,
      );
    }
  });
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
