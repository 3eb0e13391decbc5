import { tokenize } from '../embed/tokenize.js';
import { nounPhrases, type Phrase, phraseSpeller, phraseTagger } from './phrases.js';

// Words of asking and wanting, which every support-like text uses: they make poor names.
const GENERIC = new Set(
  'get got gets getting need needs needed want wants wanted please help say says said still just like know use used using try tried trying make makes work works working thing things way anyone someone something able sure'.split(
    ' ',
  ),
);

const isGeneric = (term: string) => term.split(' ').every((w) => GENERIC.has(w));

/**
 * A longer term is preferred to a shorter one inside it ("dark mode" to "dark") when at least
 * this share of the members using the shorter one use the longer one too.
 */
const EXTENSION_SHARE = 0.6;

const containsWords = (longer: string, shorter: string) =>
  ` ${longer} `.includes(` ${shorter} `) && longer !== shorter;

/** A distinctive term and the share of the cluster's members that use it. */
export interface TermShare {
  readonly term: string;
  readonly share: number;
}

/**
 * Class-based TF-IDF (as BERTopic uses it): a term scores high for a cluster when many of the
 * cluster's members use it and few members of other clusters do. Term frequency counts members
 * that contain the term, so one long text cannot dominate a cluster's keywords. `termsOf` splits
 * a text into terms: words and bigrams by default, noun phrases for names.
 */
export function distinctiveTerms(
  clusters: readonly (readonly string[])[],
  perCluster = 8,
  termsOf: (text: string) => Iterable<string> = tokenize,
): string[][] {
  return distinctiveTermShares(clusters, perCluster, termsOf).map((terms) =>
    terms.map((t) => t.term),
  );
}

function distinctiveTermShares(
  clusters: readonly (readonly string[])[],
  perCluster: number,
  termsOf: (text: string) => Iterable<string>,
): TermShare[][] {
  const memberTerms = clusters.map((texts) => texts.map((text) => new Set(termsOf(text))));
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
        count,
        score:
          (count / Math.max(1, classSizes[c] ?? 1)) *
          Math.log(1 + average / (totals.get(term) ?? 1)),
      }))
      .sort((a, b) => b.score - a.score || (a.term < b.term ? -1 : 1));
    const chosen: TermShare[] = [];
    const covered = new Set<string>();
    for (const candidate of scored) {
      const { term, count } = longestExtension(candidate, scored);
      const words = term.split(' ');
      if (words.every((w) => covered.has(w))) continue;
      chosen.push({ term, share: count / Math.max(1, members) });
      for (const w of words) covered.add(w);
      if (chosen.length >= perCluster) break;
    }
    return chosen;
  });
}

function longestExtension<T extends { term: string; count: number }>(
  candidate: T,
  scored: readonly T[],
): T {
  let best = candidate;
  for (const other of scored) {
    if (
      containsWords(other.term, best.term) &&
      other.count >= EXTENSION_SHARE * best.count &&
      other.term.split(' ').length > best.term.split(' ').length
    )
      best = other;
  }
  return best;
}

/**
 * A word in at least this share of a level's texts, and in no cluster more than this many times as
 * often as in the level as a whole, is the product's everyday vocabulary ("account", "workspace",
 * "package"): it may sit in a phrase, but a phrase of such words alone names nothing. A topic word
 * ("password") is concentrated in its clusters even when it is frequent.
 */
const COMMON_WORD_SHARE = 0.03;
const COMMON_WORD_LIFT = 2;

/** Tagged texts, kept across the levels of a run: upper levels read the same summaries again. */
const taggedTexts = new Map<string, Phrase[]>();
const MAX_TAGGED_TEXTS = 50_000;

async function phrasesOf(texts: Iterable<string>): Promise<Map<string, Phrase[]>> {
  const nlp = await phraseTagger();
  const byText = new Map<string, Phrase[]>();
  for (const text of texts) {
    if (byText.has(text)) continue;
    let phrases = taggedTexts.get(text);
    if (!phrases) {
      phrases = nounPhrases(nlp, text);
      if (taggedTexts.size >= MAX_TAGGED_TEXTS) taggedTexts.clear();
      taggedTexts.set(text, phrases);
    }
    byText.set(text, phrases);
  }
  return byText;
}

/** Words used all over the level, by the rule above. */
function commonWords(
  clusters: readonly (readonly string[])[],
  byText: ReadonlyMap<string, Phrase[]>,
) {
  const perCluster = new Map<string, number[]>();
  for (const [c, texts] of clusters.entries()) {
    for (const text of new Set(texts)) {
      const words = new Set((byText.get(text) ?? []).flatMap((p) => p.key.split(' ')));
      for (const w of words) {
        const counts = perCluster.get(w) ?? new Array<number>(clusters.length).fill(0);
        counts[c] = (counts[c] ?? 0) + 1;
        perCluster.set(w, counts);
      }
    }
  }
  const sizes = clusters.map((texts) => new Set(texts).size);
  const texts = sizes.reduce((a, b) => a + b, 0);
  const common = new Set<string>();
  for (const [word, counts] of perCluster) {
    const total = counts.reduce((a, b) => a + b, 0);
    const lift = Math.max(
      ...counts.map((n, c) => n / total / Math.max(1e-9, (sizes[c] ?? 0) / texts)),
    );
    if (total >= COMMON_WORD_SHARE * texts && lift < COMMON_WORD_LIFT) common.add(word);
  }
  return common;
}

/**
 * The noun phrases that set each cluster apart, most distinctive first, spelled as the texts
 * usually write them ("SSO sign-in", "invoices"). Phrases made only of words common across the
 * level are left out, so the product's everyday vocabulary never names a cluster on its own.
 */
export async function distinctivePhrases(
  clusters: readonly (readonly string[])[],
  perCluster = 8,
): Promise<TermShare[][]> {
  const byText = await phrasesOf(clusters.flat());
  const common = commonWords(clusters, byText);
  const termsOf = (text: string) =>
    (byText.get(text) ?? [])
      .map((p) => p.key)
      .filter((key) => !key.split(' ').every((w) => common.has(w)));
  const spell = phraseSpeller(byText.values());
  return distinctiveTermShares(clusters, perCluster, termsOf).map((terms) =>
    terms.map(({ term, share }) => ({ term: spell(term), share })),
  );
}
