import { distributionOf, facetNames } from '../../lib/facets/distribution.js';
import type { HierarchyDoc, ItemRecord } from '../../lib/output/hierarchy-schema.js';

/**
 * The run with two question facets added as a summary model would answer them: `mood`, a
 * category, and `frustration`, a 1–5 scale that differs from cluster to cluster; every 11th item
 * left the scale unanswered. Each cluster's distributions are recomputed the way `generate`
 * writes them, so the document stays what a real run with facets looks like.
 */
export function withQuestionFacets(doc: HierarchyDoc): HierarchyDoc {
  const moods = ['calm', 'curious', 'annoyed'];
  const items: ItemRecord[] = doc.items.map((item, i) => {
    const base = item.path[0] ?? 0;
    return {
      ...item,
      facets: {
        ...item.facets,
        mood: moods[(base + (i % 4 === 0 ? 1 : 0)) % moods.length] as string,
        ...(i % 11 === 10 ? {} : { frustration: Math.min(5, 1 + (base % 4) + (i % 2)) }),
      },
    };
  });
  const names = facetNames(items);
  return {
    ...doc,
    clusters: doc.clusters.map((c) => {
      const members = items.filter((item) => item.path[c.level] === c.id);
      const entries = names.flatMap((name) => {
        const d = distributionOf(members.map((item) => item.facets?.[name]));
        return d ? [[name, d] as const] : [];
      });
      return { ...c, facets: Object.fromEntries(entries) };
    }),
    items,
  };
}
