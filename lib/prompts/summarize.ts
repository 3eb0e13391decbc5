import { z } from 'zod';
import type { LlmTask } from '../llm/types.js';
import type { RenderedPrompt } from './render.js';

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
  const summary = z.string().trim().min(1, 'the summary is empty').max(2000);
  const reply: z.ZodType<SummaryReply> =
    names.length > 0
      ? z.object({ summary, partition: z.enum(names as [string, ...string[]]) })
      : z.object({ summary, partition: z.string().optional() });
  return {
    name: 'summarize',
    kind: 'summarize',
    version: 1,
    reply,
    tool: {
      name: 'record_summary',
      description: 'Record the one-sentence summary of the item (and its partition, if asked).',
    },
    prompt({ rendered, partitions }) {
      const partitionList = partitions
        ? `\n\nAlso choose the one partition the item belongs to, by name, from this list:\n${Object.entries(
            partitions,
          )
            .map(([name, description]) => `- ${name}: ${description}`)
            .join('\n')}`
        : '';
      return {
        system:
          'You turn one record of a dataset into a short summary that will be embedded and ' +
          `clustered with thousands of others. Follow the user's instructions for what to keep. ${PRIVACY_RULES} ` +
          'Answer only through the tool.',
        user: `${rendered.text}${partitionList}`,
        maxTokens: 400,
      };
    },
  };
}
