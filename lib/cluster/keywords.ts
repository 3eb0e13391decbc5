import { tokenize } from '../embed/tokenize.js';

// Words of asking and wanting, which every support-like text uses: they make poor names.
const GENERIC = new Set(
  'get got gets getting need needs needed want wants wanted please help say says said still just like know use used using try tried trying make makes work works working thing things way anyone someone something able sure'.split(
    ' ',
  ),
);

const isGeneric = (term: string) => term.split(' ').every((w) => GENERIC.has(w));

/**
 * Class-based TF-IDF (as BERTopic uses it): a term scores high for a cluster when many of the
 * cluster's members use it and few members of other clusters do. Term frequency counts members
 * that contain the term, so one long text cannot dominate a cluster's keywords.
 */
export function distinctiveTerms(
  clusters: readonly (readonly string[])[],
  perCluster = 8,
): string[][] {
  const memberTerms = clusters.map((texts) => texts.map((text) => new Set(tokenize(text))));
  const classCounts = memberTerms.map((members) => {
    const counts = new Map<string, number>();
    for (const terms of members) for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    return counts;
  });
  const totals = new Map<string, number>();
  for (const counts of classCounts)
    for (const [t, c] of counts) totals.set(t, (totals.get(t) ?? 0) + c);
  const classSizes = classCounts.map((counts) => [...counts.values()].reduce((a, b) => a + b, 0));
  const average = classSizes.reduce((a, b) => a + b, 0) / Math.max(1, classSizes.length);

  return classCounts.map((counts, c) => {
    const members = memberTerms[c]?.length ?? 0;
    // A term used by a single member of a larger cluster says little about the cluster.
    const minMembers = members >= 4 ? 2 : 1;
    const scored = [...counts]
      .filter(([term, count]) => count >= minMembers && !isGeneric(term))
      .map(([term, count]) => ({
        term,
        score:
          (count / Math.max(1, classSizes[c] ?? 1)) *
          Math.log(1 + average / (totals.get(term) ?? 1)),
      }))
      .sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1));
    const chosen: string[] = [];
    const covered = new Set<string>();
    for (const { term } of scored) {
      const words = term.split(' ');
      if (words.every((w) => covered.has(w))) continue;
      chosen.push(term);
      for (const w of words) covered.add(w);
      if (chosen.length >= perCluster) break;
    }
    return chosen;
  });
}
