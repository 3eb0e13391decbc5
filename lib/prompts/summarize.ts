import { z } from 'zod';
import type { LlmTask } from '../llm/types.js';
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
): LlmTask<SummarizeInput, SummaryReply> {
  const names = partitions ? Object.keys(partitions) : [];
  const summary = replyText(MAX_SUMMARY_CHARS, 'the summary is empty');
  // Only what the run asked for: no partition field at all without partitions (an extra one is
  // stripped), and with them a closed set of the configured names.
  const reply: z.ZodType<SummaryReply> =
    names.length > 0 ? z.object({ summary, partition: oneOfNames(names) }) : z.object({ summary });
  return {
    name: 'summarize',
    kind: 'summarize',
    version: 2,
    reply,
    tool: {
      name: 'record_summary',
      description: 'Record the one-sentence summary of the item (and its partition, if asked).',
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
          `Answer only in the requested format.${partitionList}`,
        user: rendered.text,
        userHead: rendered.head,
        maxTokens: 400,
      };
    },
  };
}
