import { z } from 'zod';
import type { FacetSpec, FacetSpecs } from '../config/facets.js';
import type { LlmTask } from '../llm/types.js';
import type { RenderedPrompt } from './render.js';
import { collapseSpace, oneOfNames, replyText } from './reply-text.js';

/** Longer summaries are clipped: they are embedded as one sentence or two. */
const MAX_SUMMARY_CHARS = 2000;

export interface SummarizeInput {
  readonly rendered: RenderedPrompt;
  readonly partitions: Readonly<Record<string, string>> | null;
}

export interface SummaryReply {
  summary: string;
  partition?: string | undefined;
  /** Answers to the config's question facets, by facet name. */
  facets?: Record<string, string | number> | undefined;
}

const FACET_ANSWER_TOKENS = 40;

/** Longer free category answers are clipped: they are labels to count, not prose. */
const MAX_CATEGORY_CHARS = 60;
// Constrained decoding drops number bounds, so a scale up to this wide is an enum of its values.
const MAX_ENUM_SCALE = 100;

/**
 * One facet's answer in the reply. A free category is folded (case, spacing) so that
 * "Billing " and "billing" count as one value.
 */
function facetAnswer(facet: FacetSpec): z.ZodType<string | number> {
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

function facetsReply(facets: FacetSpecs): z.ZodType<Record<string, string | number>> {
  return z.object(Object.fromEntries(Object.entries(facets).map(([n, f]) => [n, facetAnswer(f)])));
}

function facetQuestions(facets: FacetSpecs): string {
  const entries = Object.entries(facets);
  if (entries.length === 0) return '';
  const line = ([name, f]: [string, FacetSpec]) =>
    `- ${name}: ${f.question} ${
      f.type === 'scale'
        ? `(a whole number from ${f.min} to ${f.max})`
        : f.values
          ? `(one of: ${f.values.join(', ')})`
          : '(a short lower-case label of a few words)'
    }`;
  return `\n\nAlso answer these questions about the record, in \`facets\`, under the same privacy rules as the summary:\n${entries.map(line).join('\n')}`;
}

const PRIVACY_RULES =
  'Write the summary so that no person or organisation can be identified: leave out names, ' +
  'email addresses, phone numbers, account or order numbers, addresses and any other personal ' +
  'data, and use generic words instead of proper nouns (say "a chat integration", not a brand).';

/**
 * The summary task. With partitions the reply must also name one of them, so the schema is built
 * per run from the partition names.
 */
export function summarizeTask(
  partitions: Readonly<Record<string, string>> | null,
  facets: FacetSpecs = {},
): LlmTask<SummarizeInput, SummaryReply> {
  const names = partitions ? Object.keys(partitions) : [];
  const summary = replyText(MAX_SUMMARY_CHARS, 'the summary is empty');
  // Only what the run asked for: no partition field at all without partitions (an extra one is
  // stripped), and with them a closed set of the configured names.
  const asked = Object.keys(facets).length > 0;
  const reply: z.ZodType<SummaryReply> =
    names.length > 0
      ? asked
        ? z.object({ summary, partition: oneOfNames(names), facets: facetsReply(facets) })
        : z.object({ summary, partition: oneOfNames(names) })
      : asked
        ? z.object({ summary, facets: facetsReply(facets) })
        : z.object({ summary });

  return {
    name: 'summarize',
    kind: 'summarize',
    version: 2,
    reply,
    tool: {
      name: 'record_summary',
      description:
        'Record the one-sentence summary of the item (and its partition and facets, if asked).',
    },
    prompt({ rendered, partitions }) {
      // The partition list is the same for every item: it belongs to the cacheable prefix.
      const partitionList = partitions
        ? `\n\nAlso choose the one partition the record belongs to, by name, from this list:\n${Object.entries(
            partitions,
          )
            .map(([name, description]) => `- ${name}: ${description}`)
            .join('\n')}`
        : '';
      return {
        system:
          'You turn one record of a dataset into a short summary that will be embedded and ' +
          `clustered with thousands of others. Follow the user's instructions for what to keep. ${PRIVACY_RULES} ` +
          `Answer only in the requested format.${partitionList}${facetQuestions(facets)}`,
        user: rendered.text,
        userHead: rendered.head,
        // Room for each answer (a label of a few words, its key and punctuation) besides the summary.
        maxTokens: 400 + FACET_ANSWER_TOKENS * Object.keys(facets).length,
      };
    },
  };
}
