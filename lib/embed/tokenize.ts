// English stop words: function words that appear everywhere and only add noise to TF-IDF.
const STOP_WORDS = new Set(
  `a about above after again against all also am an and any are aren't as at be because been
  before being below between both but by can can't cannot could couldn't did didn't do does doesn't
  doing don't down during each either else etc even ever every few for from further had hadn't has
  hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
  how's however i i'd i'll i'm i've if in into is isn't it it's its itself just let's may me might
  more most much must mustn't my myself neither no nor not now of off often on once only or other
  ought our ours ourselves out over own per rather same shall shan't she she'd she'll she's should
  shouldn't since so some such than that that's the their theirs them themselves then there there's
  therefore these they they'd they'll they're they've this those though through thus to too toward
  towards under until up upon us very via was wasn't we we'd we'll we're we've were weren't what
  what's when when's where where's whether which while who who's whom whose why why's will with
  within without won't would wouldn't yet you you'd you'll you're you've your yours yourself
  yourselves`.split(/\s+/),
);

// Letters and digits of any script, allowing inner apostrophes and hyphens ("don't", "e-mail").
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export interface TokenizeOptions {
  /** Also emit pairs of adjacent kept words, joined by a space. Default true. */
  bigrams?: boolean;
}

/**
 * Lowercases and splits `text` into index terms: words of two or more characters that are not
 * stop words, plus (by default) bigrams of adjacent kept words. Bigrams are formed after stop-word
 * removal, so "reset my password" yields "reset password", as scikit-learn does.
 */
export function tokenize(text: string, options: TokenizeOptions = {}): string[] {
  const words: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0].replace(/’/g, "'");
    if (word.length < 2 || STOP_WORDS.has(word)) continue;
    // Bare numbers (versions, counts, years) rarely say what a text is about.
    if (/^[\d'-]+$/.test(word)) continue;
    words.push(word);
  }
  if (options.bigrams === false) return words;
  const terms = words.slice();
  for (let i = 1; i < words.length; i++) terms.push(`${words[i - 1]} ${words[i]}`);
  return terms;
}
