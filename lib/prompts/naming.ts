import { z } from 'zod';
import type { LlmTask } from '../llm/types.js';
import { replyName, replyText } from './reply-text.js';

export interface NameClusterInput {
  /** Summaries of members, the most typical first. */
  readonly members: readonly string[];
  /** Summaries from nearby clusters, so the name says what sets this one apart. */
  readonly contrast: readonly string[];
  /** Terms most distinctive of the cluster against the others (class-based TF-IDF). */
  readonly keywords: readonly string[];
  /** For each keyword, the share of the cluster's members that use it (0–1), when known. */
  readonly keywordShares?: readonly number[];
  /** Names of the clusters it groups: a parent's name is broader than, and not a copy of, these. */
  readonly avoid?: readonly string[];
}

export interface ClusterNameReply {
  name: string;
  description: string;
}

export const clusterNameReply = z.object({
  name: replyName(),
  description: replyText(1000, 'the description is empty'),
});

const bullets = (lines: readonly string[]) => lines.map((line) => `- ${line}`).join('\n');

export const nameClusterTask: LlmTask<NameClusterInput, ClusterNameReply> = {
  name: 'name_cluster',
  kind: 'name',
  version: 2,
  reply: clusterNameReply,
  tool: {
    name: 'name_cluster',
    description:
      'Give the group of summaries a short imperative name and a two-sentence description.',
  },
  prompt({ members, contrast, keywords, avoid = [] }) {
    return {
      system:
        'You name groups of similar summaries so an analyst can scan hundreds of them. The name is ' +
        'a short imperative phrase (at most ten words) that would fit every member, specific enough ' +
        'to tell the group apart from its neighbours. The description says in two sentences what the ' +
        'members have in common and how they differ from the neighbouring summaries. No personal ' +
        'data and no proper nouns. Answer only in the requested format.',
      user:
        `Summaries in the group:\n${bullets(members)}\n\n` +
        `Nearby summaries that are NOT in the group:\n${bullets(contrast)}\n\n` +
        `Terms that stand out in the group: ${keywords.join(', ')}` +
        // Parents only: a base cluster has no subgroups, and its prompt gains no empty line.
        (avoid.length > 0
          ? `\n\nIts subgroups are already named (give a broader name, none of these): ${avoid.join('; ')}`
          : ''),
      maxTokens: 400,
    };
  },
};
