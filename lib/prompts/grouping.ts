import { z } from 'zod';
import type { LlmTask } from '../llm/types.js';
import { type ClusterNameReply, clusterNameReply } from './naming.js';
import { distinctNames, oneOfNames } from './reply-text.js';

/** A list of category names: each one cleaned and clipped, duplicates and empties folded away. */
const nameList = z
  .array(z.string())
  .transform(distinctNames)
  .pipe(z.array(z.string()).min(1, 'give at least one non-empty category name'));

/** A cluster as the grouping prompts show it. */
export interface NamedCluster {
  readonly name: string;
  readonly description: string;
}

const listClusters = (clusters: readonly NamedCluster[]) =>
  clusters.map((c, i) => `${i + 1}. ${c.name}: ${c.description}`).join('\n');

const RULES =
  'Names are short imperative phrases (at most ten words), broader than the clusters they cover ' +
  'but still specific enough to be useful. No personal data and no proper nouns.';

export interface ProposeParentsInput {
  readonly clusters: readonly NamedCluster[];
  readonly count: number;
}

export const proposeParentsTask: LlmTask<ProposeParentsInput, { names: string[] }> = {
  name: 'propose_parents',
  kind: 'group',
  version: 2,
  reply: z.object({ names: nameList }),
  tool: { name: 'propose_categories', description: 'Propose broader categories for the clusters.' },
  prompt({ clusters, count }) {
    return {
      system: `You organise clusters of a dataset into a hierarchy. ${RULES} Answer only in the requested format.`,
      user:
        `Here are related clusters:\n${listClusters(clusters)}\n\n` +
        `Propose about ${count} broader categories such that every cluster above fits one of them.`,
      maxTokens: 800,
    };
  },
};

export interface DedupeParentsInput {
  readonly candidates: readonly string[];
  readonly count: number;
}

export const dedupeParentsTask: LlmTask<DedupeParentsInput, { names: string[] }> = {
  name: 'dedupe_parents',
  kind: 'group',
  version: 2,
  reply: z.object({ names: nameList }),
  tool: { name: 'final_categories', description: 'Record the merged list of categories.' },
  prompt({ candidates, count }) {
    return {
      system: `You merge overlapping category names into one distinct list. ${RULES} Answer only in the requested format.`,
      user:
        `Candidate categories:\n${candidates.map((c) => `- ${c}`).join('\n')}\n\n` +
        `Merge duplicates and near-duplicates into about ${count} distinct categories that together ` +
        'still cover every candidate.',
      maxTokens: 1200,
    };
  },
};

export interface AssignParentInput {
  readonly cluster: NamedCluster;
  readonly parents: readonly string[];
}

/** The reply must name one of the offered parents; built per call so the schema can say which. */
export function assignParentTask(
  parents: readonly string[],
): LlmTask<AssignParentInput, { parent: string }> {
  return {
    name: 'assign_parent',
    kind: 'group',
    version: 2,
    reply: z.object({ parent: oneOfNames(parents) }),
    tool: { name: 'assign_category', description: 'Pick the category the cluster belongs to.' },
    prompt({ cluster, parents }) {
      return {
        system:
          'You file a cluster under the one category that fits it best. Answer only in the requested format.',
        user:
          `Cluster: ${cluster.name}: ${cluster.description}\n\n` +
          `Categories (answer with one name exactly as written):\n${parents.map((p) => `- ${p}`).join('\n')}`,
        maxTokens: 200,
      };
    },
  };
}

export interface RenameParentInput {
  readonly children: readonly NamedCluster[];
}

export const renameParentTask: LlmTask<RenameParentInput, ClusterNameReply> = {
  name: 'rename_parent',
  kind: 'name',
  version: 2,
  reply: clusterNameReply,
  tool: { name: 'name_category', description: 'Name and describe the category from its clusters.' },
  prompt({ children }) {
    return {
      system:
        `You name a category from the clusters filed under it. ${RULES} The description says in ` +
        'two sentences what the clusters share. Answer only in the requested format.',
      user: `Clusters in the category:\n${listClusters(children)}`,
      maxTokens: 400,
    };
  },
};
