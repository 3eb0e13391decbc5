import type { FacetSpecs } from '../config/facets.js';
import type { Llm } from '../llm/types.js';

/**
 * Why the config's question facets have no answers in this run, or undefined when they do.
 * The summary tool call does not ask them yet (planned), so every run says so for now.
 */
export function skippedQuestionFacets(
  facets: FacetSpecs,
  llm: Pick<Llm, 'generative'>,
): string | undefined {
  const names = Object.keys(facets);
  if (names.length === 0) return undefined;
  const why = llm.generative
    ? 'this version does not ask facet questions yet'
    : 'the offline provider answers no questions';
  const list = names.map((n) => `\`${n}\``).join(', ');
  return `question facets ${list} were skipped (${why}); the built-in facets language, turns and length were computed`;
}
