/**
 * Cluster names without a model: a short noun phrase made of the cluster's most distinctive
 * phrases ("Password reset and sign-in"), within limits a person can scan.
 */

export const NAME_LIMITS = { minWords: 2, maxWords: 5, maxChars: 40 } as const;

/** Phrases considered for a name: past the first few, a phrase is too weak to name the cluster. */
const NAME_PHRASES = 5;

const words = (text: string) => text.split(' ').filter(Boolean);

const fits = (name: string) => {
  const count = words(name).length;
  return (
    count >= NAME_LIMITS.minWords &&
    count <= NAME_LIMITS.maxWords &&
    Array.from(name).length <= NAME_LIMITS.maxChars
  );
};

/**
 * Two phrases joined, a shared head or modifier said once: "SSO sign-in" and "SAML sign-in" give
 * "SSO and SAML sign-in", "webhook events" and "webhook retries" give "webhook events and retries".
 */
export function joinPhrases(a: string, b: string): string {
  const [wa, wb] = [words(a), words(b)];
  const lastA = wa[wa.length - 1]?.toLowerCase();
  if (wa.length > 1 && wb.length > 1 && lastA === wb[wb.length - 1]?.toLowerCase())
    return `${wa.slice(0, -1).join(' ')} and ${wb.join(' ')}`;
  if (wa.length > 1 && wb.length > 1 && wa[0]?.toLowerCase() === wb[0]?.toLowerCase())
    return `${a} and ${wb.slice(1).join(' ')}`;
  return `${a} and ${b}`;
}

/** Words folded for comparison: case, and a plural's "s" ("webhooks" is "webhook"). */
const folded = (text: string) =>
  ` ${words(text.toLowerCase())
    .map((w) => (w.length > 3 ? w.replace(/s$/, '') : w))
    .join(' ')} `;

/** One phrase inside the other, as words ("dark mode" in "dark mode settings")? */
const overlaps = (a: string, b: string) => {
  const [x, y] = [folded(a), folded(b)];
  return x.includes(y) || y.includes(x);
};

/**
 * A second phrase joins the first only when at least this share of the members using the first
 * use it too: a name should not pair the theme with a word a few members happen to share.
 */
const PAIR_SHARE = 0.4;

/**
 * Names to try, best first: the top two phrases when both are strong, the top phrase alone when
 * it is already a phrase, a longer phrase that contains it ("webhooks" → "webhook delivery log"),
 * other strong pairs, and only then weak pairs.
 */
function* candidates(phrases: readonly string[], shares: readonly number[]): Generator<string> {
  const top = phrases.slice(0, NAME_PHRASES);
  const pairs: { name: string; strong: boolean; withSecond: boolean }[] = [];
  for (let j = 1; j < top.length; j++) {
    for (let i = 0; i < j; i++) {
      const [a, b] = [top[i] as string, top[j] as string];
      const strong = (shares[j] ?? 1) >= PAIR_SHARE * (shares[i] ?? 1);
      if (!overlaps(a, b)) pairs.push({ name: joinPhrases(a, b), strong, withSecond: i + j === 1 });
    }
  }
  const first = top[0];
  if (first === undefined) return;
  if (pairs[0]?.strong && pairs[0].withSecond) yield pairs[0].name;
  yield first;
  const extension = phrases.find((p) => p !== first && overlaps(p, first));
  if (extension) yield extension;
  for (const pair of pairs) if (pair.strong) yield pair.name;
  for (const pair of pairs) if (!pair.strong) yield pair.name;
}

/** Sentence case: the first letter up, the rest as the texts write them ("iPad" stays). */
export function sentenceCase(name: string): string {
  const first = words(name)[0] ?? '';
  if (/^\p{Ll}+\p{Lu}/u.test(first)) return name;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/**
 * A name from a cluster's distinctive phrases (most distinctive first, with the share of members
 * using each when known): 2–5 words and at most 40 characters, never one of `avoid` (its
 * children's names), never a lone word. Undefined when the phrases allow no such name.
 */
export function nameFromPhrases(
  phrases: readonly string[],
  options: { readonly avoid?: readonly string[]; readonly keywordShares?: readonly number[] } = {},
): string | undefined {
  const taken = new Set((options.avoid ?? []).map((n) => n.trim().toLowerCase()));
  for (const candidate of candidates(phrases, options.keywordShares ?? [])) {
    const name = sentenceCase(candidate);
    if (fits(name) && !taken.has(name.toLowerCase())) return name;
  }
  return undefined;
}
