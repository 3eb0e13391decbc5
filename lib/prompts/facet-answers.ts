import { z } from 'zod';
import type { FacetSpec } from '../config/facets.js';
import { collapseSpace, oneOfNames, replyText } from './reply-text.js';

/**
 * How a question facet is asked and read back, shared by the summary call (which answers it) and
 * the judge (which checks the answer), so both ask the same question with the same bounds.
 */

/** Room in a reply for one facet's answer: a label of a few words, its key and punctuation. */
export const FACET_ANSWER_TOKENS = 40;

/** Longer free category answers are clipped: they are labels to count, not prose. */
const MAX_CATEGORY_CHARS = 60;
// Constrained decoding drops number bounds, so a scale up to this wide is an enum of its values.
const MAX_ENUM_SCALE = 100;

/**
 * One facet's answer in a reply. A free category is folded (case, spacing) so that
 * "Billing " and "billing" count as one value.
 */
export function facetAnswer(facet: FacetSpec): z.ZodType<string | number> {
  if (facet.type === 'scale') {
    const { min, max } = facet;
    if (max - min <= MAX_ENUM_SCALE) {
      const values = Array.from({ length: max - min + 1 }, (_, i) => min + i);
      return z.literal(values as [number, ...number[]]).describe(facet.question);
    }
    return z.number().int().min(min).max(max).describe(facet.question);
  }
  if (facet.values) return oneOfNames(facet.values).describe(facet.question);
  return replyText(MAX_CATEGORY_CHARS, 'the answer is empty')
    .transform((s) => collapseSpace(s).toLowerCase())
    .describe(facet.question);
}

/** The facet as a line of a prompt: its name, question and what form the answer takes. */
export function facetQuestionLine(name: string, facet: FacetSpec): string {
  const form =
    facet.type === 'scale'
      ? `(a whole number from ${facet.min} to ${facet.max})`
      : facet.values
        ? `(one of: ${facet.values.join(', ')})`
        : '(a short lower-case label of a few words)';
  return `- ${name}: ${facet.question} ${form}`;
}
