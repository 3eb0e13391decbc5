import type { Embedder } from '../embed/types.js';
import type { ClusterNameReply, NameClusterInput } from '../prompts/naming.js';
import type { SummarizeInput, SummaryReply } from '../prompts/summarize.js';
import { shapeProblem } from './json-schema.js';
import { UsageLedger } from './ledger.js';
import { nameFromPhrases, sentenceCase } from './offline-names.js';
import { cleanText, itemText, substantiveText, truncateWords } from './offline-text.js';
import {
  emptyUsage,
  type Llm,
  type LlmReply,
  LlmReplyError,
  type LlmTask,
  NothingToSummarizeError,
  type PromptBudget,
} from './types.js';

export const OFFLINE_SUMMARY_WORDS = 40;

/**
 * The most prompt text the offline provider reads: it keeps 40 words, so the start of an item
 * says what it is about, and a multi-megabyte item is not scanned whole for every summary.
 */
export const OFFLINE_MAX_PROMPT_CHARS = 100_000;

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += (a[i] ?? 0) * (b[i] ?? 0);
  return dot;
}

function tokens(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[a-z0-9]{3,}/g) ?? []);
}

/**
 * The provider used when no model is configured. It does only what can be computed honestly from
 * its input: an extractive summary of the item's own text, the partition whose description is
 * most similar, and names built from a cluster's distinctive terms. It cannot propose or judge,
 * so `generative` is false and the grouping stages use centroid similarity instead.
 */
export class OfflineLlm implements Llm {
  readonly id = 'offline@1';
  readonly generative = false;
  readonly #embedder: Embedder | undefined;
  #partitionVectors: Promise<Float32Array[]> | undefined;

  /** With an embedder, partitions are picked by embedding similarity; without, by shared words. */
  /** Stays empty: nothing is billed. Kept so every provider reports usage the same way. */
  readonly ledger: UsageLedger;

  constructor(options: { embedder?: Embedder; ledger?: UsageLedger } = {}) {
    this.ledger = options.ledger ?? new UsageLedger();
    // A batch-fitted embedder (TF-IDF) gives meaningless vectors for one text at a time.
    this.#embedder = options.embedder?.contextual ? undefined : options.embedder;
  }

  /** Nothing to pay: the offline provider runs here. */
  costOf(): number {
    return 0;
  }

  promptBudget(): PromptBudget {
    return { maxChars: OFFLINE_MAX_PROMPT_CHARS, reader: 'the offline provider' };
  }

  async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
    const value = await this.#answer(task.name, input);
    const parsed = task.reply.safeParse(value);
    // Said as a sentence: a serialized validator error in run.json helps nobody.
    if (!parsed.success)
      throw new LlmReplyError(`${task.name}: ${shapeProblem(parsed.error)}`, task.name);
    return { value: parsed.data, usage: emptyUsage(), model: this.id };
  }

  #answer(task: string, input: unknown): Promise<unknown> | unknown {
    switch (task) {
      case 'summarize':
        return this.#summarize(input as SummarizeInput);
      case 'name_cluster':
        return nameFromKeywords(input as NameClusterInput);
      default:
        throw new Error(`the offline provider cannot run the "${task}" task; configure an LLM`);
    }
  }

  async #summarize({ rendered, partitions }: SummarizeInput): Promise<SummaryReply> {
    const text = cleanText(substantiveText(itemText(rendered.values)));
    // No filler: an item with nothing to say is skipped, not clustered as "(no text)".
    if (!text)
      throw new NothingToSummarizeError(
        'skipped: the item holds no words to summarize (only markup, links, code or numbers)',
      );
    const summary = truncateWords(text, OFFLINE_SUMMARY_WORDS);
    if (!partitions) return { summary };
    // The summary, not the full text, is embedded: the embed stage then finds it in the cache.
    return { summary, partition: await this.#closestPartition(summary, partitions) };
  }

  async #closestPartition(text: string, partitions: Readonly<Record<string, string>>) {
    const entries = Object.entries(partitions);
    let scores: number[];
    if (this.#embedder) {
      const embedder = this.#embedder;
      this.#partitionVectors ??= embedder.embed(entries.map(([n, d]) => `${n}: ${d}`));
      const [partitionVectors, [vector]] = await Promise.all([
        this.#partitionVectors,
        embedder.embed([text]),
      ]);
      scores = partitionVectors.map((p) => (vector ? cosine(vector, p) : 0));
    } else {
      const words = tokens(text);
      scores = entries.map(([n, d]) => [...tokens(`${n} ${d}`)].filter((t) => words.has(t)).length);
    }
    let best = 0;
    for (let i = 1; i < scores.length; i++) if ((scores[i] ?? 0) > (scores[best] ?? 0)) best = i;
    return entries[best]?.[0] ?? '';
  }
}

/** The name when the phrases allow none within the limits: still a phrase, never a lone word. */
function fallbackName(keywords: readonly string[]): string {
  return keywords[0] ? sentenceCase(`items about ${keywords[0]}`) : 'Miscellaneous items';
}

/** A name from the cluster's distinctive phrases, said to be one: no model wrote it. */
export function nameFromKeywords(input: NameClusterInput): ClusterNameReply {
  const { members, keywords } = input;
  const name = nameFromPhrases(keywords, input) ?? fallbackName(keywords);
  const example = members[0] ? ` A typical member: "${truncateWords(members[0], 25)}"` : '';
  const terms = keywords.slice(0, 8).join(', ');
  return {
    name,
    description: `Offline name from distinctive terms: ${terms || 'none found'}.${example}`,
  };
}
