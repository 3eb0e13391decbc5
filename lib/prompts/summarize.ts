import { z } from 'zod';
import type { FacetSpecs } from '../config/facets.js';
import type { LlmTask } from '../llm/types.js';
import { FACET_ANSWER_TOKENS, facetAnswer, facetQuestionLine } from './facet-answers.js';
import type { RenderedPrompt } from './render.js';
import { oneOfNames, replyText } from './reply-text.js';

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

function facetsReply(facets: FacetSpecs): z.ZodType<Record<string, string | number>> {
  return z.object(Object.fromEntries(Object.entries(facets).map(([n, f]) => [n, facetAnswer(f)])));
}

function facetQuestions(facets: FacetSpecs): string {
  const entries = Object.entries(facets);
  if (entries.length === 0) return '';
  const lines = entries.map(([name, f]) => facetQuestionLine(name, f));
  return `\n\nAlso answer these questions about the record, in \`facets\`, under the same privacy rules as the summary:\n${lines.join('\n')}`;
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
