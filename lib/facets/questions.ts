import type { FacetSpecs } from '../config/facets.js';
import type { Llm } from '../llm/types.js';

/**
 * Why the config's question facets have no answers in this run, or undefined when they are
 * asked: the offline provider cannot answer questions, and computes the built-in facets only.
 */
export function skippedQuestionFacets(
  facets: FacetSpecs,
  llm: Pick<Llm, 'generative'>,
): string | undefined {
  const names = Object.keys(facets);
  if (names.length === 0 || llm.generative) return undefined;
  const list = names.map((n) => `\`${n}\``).join(', ');
  return `question facets ${list} were skipped (the offline provider answers no questions); the built-in facets language, turns and length were computed`;
}

/** The question facets to ask in the summary call: none of the offline provider, which cannot answer them. */
export function askedQuestionFacets(facets: FacetSpecs, llm: Pick<Llm, 'generative'>): FacetSpecs {
  return llm.generative ? facets : {};
}
