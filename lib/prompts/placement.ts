import { z } from 'zod';
import type { LlmTask } from '../llm/types.js';
import type { NamedCluster } from './grouping.js';
import { optionNumber } from './reply-text.js';

export interface PlaceItemInput {
  readonly summary: string;
  /** The nearest clusters by embedding, nearest first. */
  readonly clusters: readonly NamedCluster[];
}

export interface PlaceItemReply {
  /** 1-based number of the chosen cluster, or 0 when none fits. */
  choice: number;
}

/**
 * Confirms where `extend` files a new item: the model picks one of the few nearest clusters or
 * says none fits. Built per call so the schema allows exactly the numbers offered.
 */
export function placeItemTask(count: number): LlmTask<PlaceItemInput, PlaceItemReply> {
  return {
    name: 'place_item',
    kind: 'judge',
    version: 2,
    reply: z.object({ choice: optionNumber(count, { none: true }) }),
    tool: {
      name: 'choose_cluster',
      description: 'Pick the cluster the summary belongs to, or 0 when none of them fits.',
    },
    prompt({ summary, clusters }) {
      const list = clusters.map((c, i) => `${i + 1}. ${c.name}: ${c.description}`).join('\n');
      return {
        system:
          'You file a new summary into an existing set of clusters. Choose the one cluster whose ' +
          'name and description the summary clearly fits. If it fits none of them, answer 0: a ' +
          'wrong cluster is worse than none. Answer only in the requested format.',
        user: `Summary:\n${summary}\n\nClusters:\n${list}\n\nAnswer with the cluster's number, or 0 for none.`,
        maxTokens: 100,
      };
    },
  };
}
