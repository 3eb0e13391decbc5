import type { ItsFunction, WinkMethods } from 'wink-nlp';

/**
 * Noun phrases of a text ("password reset", "iPad app", "Kazakh dictionary"): the candidates a
 * cluster's name is built from. Part-of-speech tags come from wink-nlp and its English model, both
 * plain npm packages, so naming stays offline; verbs, pronouns and greetings never become a term.
 */

/** A word of a phrase as written, with what is needed to decide how to spell it in a name. */
export interface WrittenWord {
  readonly value: string;
  readonly sentenceStart: boolean;
  readonly proper: boolean;
}

/** One phrase as it appears in a text: `key` folds case and inflection. */
export interface Phrase {
  readonly key: string;
  readonly words: readonly WrittenWord[];
}

/** The longest phrase kept, in words: a longer noun run gives its last three words. */
const MAX_PHRASE_WORDS = 3;

const NOUN = new Set(['NOUN', 'PROPN']);
const PHRASE_POS = new Set(['ADJ', 'NOUN', 'PROPN']);

/**
 * Words that carry no topic, even when tagged as nouns or adjectives: greetings and thanks, vague
 * nouns, times and dates, the adjectives of quantity or comparison that open many noun phrases
 * ("same thing"), and verbs the tagger often reads as nouns after a noun ("the invoice shows").
 */
export const FILLER_WORDS = new Set(
  `hi hello hey dear greetings thanks thank thx cheers regards sincerely sorry please pls ok okay
  yes yeah lol asap im
  thing things stuff something anything nothing everything someone anyone everyone somebody
  anybody way ways lot lots bit kind sort type part question questions issue issues problem
  problems help support matter case reason idea point sense fact example examples info information
  couple half side end middle top bottom front back rest
  today yesterday tomorrow morning afternoon evening night week weeks day days month months year
  years hour hours minute minutes second seconds moment time times while
  monday tuesday wednesday thursday friday saturday sunday january february march april may june
  july august september october november december
  same other another whole many much several few certain different various more most less least
  such own able unable sure new old good great nice bad fine weird strange main last next first
  current possible right wrong real actual quick simple easy hard super
  show shows say says return returns take takes keep keeps look looks seem seems stop stops`.split(
    /\s+/,
  ),
);

/** A greeting's addressee ("hi team", "hello all") is not a topic either. */
const GREETING = new Set(['hi', 'hello', 'hey', 'dear', 'greetings']);
const ADDRESSEE = new Set(['team', 'all', 'there', 'everyone', 'folks', 'guys', 'support']);

let loaded: Promise<WinkMethods> | undefined;

/** The tagger, loaded on first use: its model takes a few hundred milliseconds to read. */
export function phraseTagger(): Promise<WinkMethods> {
  loaded ??= (async () => {
    const [{ default: winkNLP }, { default: model }] = await Promise.all([
      import('wink-nlp'),
      import('wink-eng-lite-web-model'),
    ]);
    return winkNLP(model, ['sbd', 'pos']);
  })();
  return loaded;
}

interface Word {
  value: string;
  lemma: string;
  pos: string;
  sentenceStart: boolean;
}

/** The part of speech of a rejoined compound: "sign-in" and "e-mail" name things, "read-only" does not. */
const compoundPos = (lastPos: string) => (NOUN.has(lastPos) || lastPos === 'ADP' ? 'NOUN' : 'ADJ');

/** Tokens as words, with hyphenated compounds ("sign-in", "e-mail") rejoined. */
function wordsOf(nlp: WinkMethods, text: string): Word[] {
  const { its } = nlp;
  const tokens = nlp.readDoc(text).tokens();
  const values = tokens.out(its.value) as string[];
  // Typed with one argument too few (wink passes the model's addons itself).
  const lemmas = tokens.out(its.lemma as unknown as ItsFunction<string>) as string[];
  const tags = tokens.out(its.pos) as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  const words: Word[] = [];
  let sentenceStart = true;
  for (let i = 0; i < values.length; i++) {
    const value = values[i] as string;
    const previous = words[words.length - 1];
    const next = values[i + 1];
    if (value === '-' && previous && next && !spaces[i] && !spaces[i + 1]) {
      previous.value = `${previous.value}-${next}`;
      previous.lemma = previous.value.toLowerCase();
      previous.pos = compoundPos(tags[i + 1] as string);
      i++;
      continue;
    }
    const pos = tags[i] as string;
    words.push({ value, lemma: (lemmas[i] as string).toLowerCase(), pos, sentenceStart });
    sentenceStart = pos === 'PUNCT' && /^[.!?;:…]+$/.test(value);
  }
  return words;
}

const isContentWord = (word: Word) =>
  PHRASE_POS.has(word.pos) &&
  /\p{L}/u.test(word.value) &&
  !word.value.endsWith('.') &&
  word.value.length >= 2 &&
  !/^\d+(st|nd|rd|th)$/i.test(word.value) &&
  // A contraction the tagger left whole ("I'm", "I’ve") is a pronoun and a verb, never a topic.
  !/['’]/.test(word.value) &&
  !FILLER_WORDS.has(word.lemma) &&
  !FILLER_WORDS.has(word.value.toLowerCase());

/**
 * The noun phrases of a text: the last one to three words of each run of adjectives and nouns that
 * ends in a noun (English noun phrases end in their head), so "the in-app notification bell" gives
 * "bell", "notification bell" and "in-app notification bell", and counting across a cluster's
 * members decides which of them the cluster shares.
 */
export function nounPhrases(nlp: WinkMethods, text: string): Phrase[] {
  const words = wordsOf(nlp, text);
  const phrases: Phrase[] = [];
  let run: Word[] = [];
  const flush = () => {
    while (run.length > 0 && !NOUN.has((run[run.length - 1] as Word).pos)) run.pop();
    for (let length = 1; length <= Math.min(MAX_PHRASE_WORDS, run.length); length++) {
      const part = run.slice(run.length - length);
      phrases.push({
        key: part.map((w) => w.lemma).join(' '),
        words: part.map((w) => ({
          value: w.value,
          sentenceStart: w.sentenceStart,
          proper: w.pos === 'PROPN',
        })),
      });
    }
    run = [];
  };
  for (const [i, word] of words.entries()) {
    const afterGreeting = i > 0 && GREETING.has((words[i - 1] as Word).lemma);
    if (isContentWord(word) && !(afterGreeting && ADDRESSEE.has(word.lemma))) run.push(word);
    else flush();
  }
  flush();
  return phrases;
}

const TITLE_CASE = /^\p{Lu}[\p{Ll}\d'’-]*$/u;

/**
 * Spells phrases as they are usually written in the texts: "SSO", "iPad" and "Kazakh" keep their
 * capitals, while a word capitalised only because it opens a sentence ("Photos won't upload") is
 * written in lower case. Each key is shown in its most frequent form ("invoices" or "invoice").
 */
export function phraseSpeller(texts: Iterable<readonly Phrase[]>): (key: string) => string {
  const midSentence = new Map<string, Map<string, number>>();
  const forms = new Map<string, Map<string, { count: number; words: readonly WrittenWord[] }>>();
  const bump = <T>(map: Map<string, T>, key: string, make: () => T) => {
    const found = map.get(key);
    if (found !== undefined) return found;
    const made = make();
    map.set(key, made);
    return made;
  };
  for (const phrases of texts) {
    for (const phrase of phrases) {
      const folded = phrase.words.map((w) => w.value.toLowerCase()).join(' ');
      const form = bump(forms, phrase.key, () => new Map()).get(folded);
      if (form) form.count++;
      else forms.get(phrase.key)?.set(folded, { count: 1, words: phrase.words });
      for (const word of phrase.words) {
        if (word.sentenceStart) continue;
        const spellings = bump(
          midSentence,
          word.value.toLowerCase(),
          () => new Map<string, number>(),
        );
        spellings.set(word.value, (spellings.get(word.value) ?? 0) + 1);
      }
    }
  }
  const spell = (word: WrittenWord) => {
    const spellings = midSentence.get(word.value.toLowerCase());
    if (spellings) return [...spellings].sort((a, b) => b[1] - a[1])[0]?.[0] ?? word.value;
    if (word.sentenceStart && TITLE_CASE.test(word.value) && !word.proper)
      return word.value.toLowerCase();
    return word.value;
  };
  return (key) => {
    let best: { count: number; words: readonly WrittenWord[] } | undefined;
    for (const form of forms.get(key)?.values() ?? [])
      if (!best || form.count > best.count) best = form;
    return best ? best.words.map(spell).join(' ') : key;
  };
}
