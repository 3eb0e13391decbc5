import type { PromptBudget } from '../llm/types.js';
import { hasContent, type RenderedPrompt, renderSummaryPrompt } from '../prompts/render.js';
import type { Item } from '../sources/types.js';
import type { Failure } from './types.js';

/** A template field some items lack: reported once, with the first item that lacked it. */
export interface TemplateGap {
  readonly field: string;
  readonly firstItemId: string;
  readonly count: number;
}

/** The warning a run reports for a template field some items lack. */
export function templateGapWarning(gap: TemplateGap): string {
  const more = gap.count > 1 ? ` (and ${gap.count - 1} more items)` : '';
  return `summary_prompt names {{${gap.field}}}, which item "${gap.firstItemId}" lacks${more}; it rendered empty there`;
}

/** Counts the template fields items lack, keeping the first item that lacked each. */
export class TemplateGaps {
  readonly #gaps = new Map<string, { firstItemId: string; count: number }>();

  add(itemId: string, missing: readonly string[]): void {
    for (const field of missing) {
      const gap = this.#gaps.get(field);
      if (gap) gap.count++;
      else this.#gaps.set(field, { firstItemId: itemId, count: 1 });
    }
  }

  list(): TemplateGap[] {
    return [...this.#gaps].map(([field, gap]) => ({ field, ...gap }));
  }
}

/** Items named in one truncation warning; the rest are counted. */
const NAMED_TRUNCATIONS = 5;

/**
 * Each item's summary prompt, rendered once for the synchronous and the Message Batches paths
 * alike: an item the template takes no text from is skipped with its reason (summarizing
 * nothing would give filler that clusters as if it were data), an item too long for the
 * model's input is cut to fit and named in a warning (sent whole, it fails on every run).
 */
export class ItemPrompts {
  readonly gaps = new TemplateGaps();
  readonly #truncated: { id: string; from: number }[] = [];

  constructor(
    private readonly template: string,
    private readonly budget?: PromptBudget,
  ) {}

  /** The item's prompt, or the failure that skips it. */
  prepare(item: Item): { rendered: RenderedPrompt } | { skipped: Failure } {
    const rendered = renderSummaryPrompt(this.template, item, this.budget?.maxChars);
    this.gaps.add(item.id, rendered.missing);
    if (!rendered.values.some(hasContent)) {
      const why =
        rendered.missing.length > 0
          ? `it has no ${rendered.missing.map((f) => `{{${f}}}`).join(', ')}`
          : 'the fields it names are empty';
      return {
        skipped: {
          stage: 'summarize',
          id: item.id,
          reason: `skipped: summary_prompt took no text from this item (${why})`,
          code: 'empty-item',
        },
      };
    }
    if (rendered.truncated) this.#truncated.push({ id: item.id, from: rendered.fullLength ?? 0 });
    return { rendered };
  }

  /** Fields items lacked and items that were cut, as run warnings. */
  warnings(): string[] {
    const warnings = this.gaps.list().map(templateGapWarning);
    const cut = this.#truncated;
    if (cut.length > 0 && this.budget) {
      const named = cut
        .slice(0, NAMED_TRUNCATIONS)
        .map(({ id, from }) => `"${id}" (${from.toLocaleString('en-US')} characters)`)
        .join(', ');
      const more =
        cut.length > NAMED_TRUNCATIONS ? ` and ${cut.length - NAMED_TRUNCATIONS} more` : '';
      warnings.push(
        `${cut.length === 1 ? 'item' : `${cut.length} items:`} ${named}${more}: the summary prompt was longer than ${this.budget.reader} takes ` +
          `(${this.budget.maxChars.toLocaleString('en-US')} characters), so the longest inserted text was cut to fit, marked "[… truncated N characters]"`,
      );
    }
    return warnings;
  }
}
