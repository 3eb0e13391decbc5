import { z } from 'zod';
import type { FacetSpec, FacetSpecs } from '../config/facets.js';
import type { LlmTask } from '../llm/types.js';
import { FACET_ANSWER_TOKENS, facetAnswer, facetQuestionLine } from './facet-answers.js';
import { oneOfNames, optionNumber, replyText } from './reply-text.js';

/**
 * The judge tasks of `evaluate`: a model reads one item (or two clusters) and gives a verdict
 * through a tool, with a one-sentence reason an analyst can check. Every judgement is blind to
 * what the clustering decided wherever the question allows it (the partition and the best cluster
 * are picked, not confirmed), so the model cannot simply agree.
 */

/** An item as the judge sees it: the summary the clusters were built from and its original. */
export interface JudgedItem {
  readonly summary: string;
  /** The start of the original item, bounded in `hierarchy.json`. */
  readonly preview: string;
}

/** A cluster as the judge sees it. */
export interface JudgedCluster {
  readonly name: string;
  readonly description: string;
}

const reason = replyText(1000, 'give a short reason');

const SYSTEM =
  'You audit how a dataset was organised into clusters. Read the record closely, judge only ' +
  'from what it says, and keep the reason to one sentence. Answer only in the requested format.';

const showItem = (item: JudgedItem) =>
  `<record>\nSummary: ${item.summary}\nOriginal (may be cut short):\n${item.preview}\n</record>`;

const showCluster = (cluster: JudgedCluster) => `${cluster.name}: ${cluster.description}`;

export interface PartitionJudgeInput {
  readonly item: JudgedItem;
  readonly partitions: Readonly<Record<string, string>>;
}

/** Partition relevance: the model picks the partition; the item passes when it picks its own. */
export function judgePartitionTask(
  partitions: readonly string[],
): LlmTask<PartitionJudgeInput, { partition: string; reason: string }> {
  return {
    name: 'judge_partition',
    kind: 'judge',
    version: 1,
    reply: z.object({ partition: oneOfNames(partitions), reason }),
    tool: {
      name: 'choose_partition',
      description: 'Record the one partition the record belongs to, and why.',
    },
    prompt({ item, partitions }) {
      const list = Object.entries(partitions)
        .map(([name, description]) => `- ${name}: ${description}`)
        .join('\n');
      return {
        system: SYSTEM,
        user:
          `${showItem(item)}\n\nThe dataset is split into these partitions:\n${list}\n\n` +
          'Which one partition does the record belong to? Answer with the name exactly as written.',
        maxTokens: 300,
      };
    },
  };
}

export interface ClusterFitInput {
  readonly item: JudgedItem;
  readonly cluster: JudgedCluster;
  readonly level: number;
  /** Levels in the hierarchy, so the model knows how broad a cluster at `level` is meant to be. */
  readonly levels: number;
  /** Clusters at this level. */
  readonly clusters: number;
  /**
   * The item's recorded answers to the facets the task checks, by facet name. Only a free
   * category's answer is shown to the model; the others it answers blind.
   */
  readonly facets?: Readonly<Record<string, string | number>>;
}

export interface ClusterFitReply {
  fits: boolean;
  reason: string;
  /**
   * Per checked facet: the model's own value for a scale or a category with listed values, and
   * for a free category whether the recorded answer is right.
   */
  facets?: Record<string, string | number | boolean>;
}

/** A free category has no list to pick from: the model confirms the recorded label instead. */
const isFreeCategory = (facet: FacetSpec) => facet.type === 'category' && !facet.values;

function facetChecks(facets: FacetSpecs, recorded: Readonly<Record<string, string | number>>) {
  const lines = Object.entries(facets).map(([name, facet]) =>
    isFreeCategory(facet)
      ? `- ${name}: ${facet.question} Another reader answered ${JSON.stringify(String(recorded[name] ?? ''))}: true if that answer is right for the record, false if not.`
      : facetQuestionLine(name, facet),
  );
  return `\n\nAlso answer these questions about the record in \`facets\`, from the record alone:\n${lines.join('\n')}`;
}

/**
 * Hierarchical fit: does the item belong in the cluster it was filed under at one level? With
 * `facets`, the same call also answers the run's question facets for the item, so checking
 * them costs output tokens but no extra call. Every facet is answered blind where the question
 * allows it (a scale, a category with listed values), as the other judgements are.
 */
export function judgeClusterFitTask(
  facets: FacetSpecs = {},
): LlmTask<ClusterFitInput, ClusterFitReply> {
  const asked = Object.entries(facets);
  const reply: z.ZodType<ClusterFitReply> =
    asked.length === 0
      ? z.object({ fits: z.boolean(), reason })
      : z.object({
          fits: z.boolean(),
          reason,
          facets: z.object(
            Object.fromEntries(
              asked.map(([name, facet]) => [
                name,
                isFreeCategory(facet)
                  ? z.boolean().describe(`Is the recorded answer to "${facet.question}" right?`)
                  : facetAnswer(facet),
              ]),
            ),
          ),
        });
  return {
    name: 'judge_cluster_fit',
    kind: 'judge',
    version: 1,
    reply,
    tool: {
      name: 'rate_cluster_fit',
      description:
        asked.length === 0
          ? 'Record whether the record belongs in the cluster, and why.'
          : 'Record whether the record belongs in the cluster, and why, and the answers to the facet questions.',
    },
    prompt({ item, cluster, level, levels, clusters, facets: recorded = {} }) {
      const breadth =
        level === 0
          ? 'one of the most specific clusters'
          : `a broader group at level ${level} of ${levels - 1} (higher levels are broader)`;
      return {
        system: SYSTEM,
        user:
          `${showItem(item)}\n\nThe record was filed under this cluster, ${breadth}, one of ` +
          `${clusters} at its level:\n${showCluster(cluster)}\n\n` +
          'Does the record belong in this cluster? Say yes when the record is a plain instance of ' +
          'what the name and description cover, even if the cluster is broader than the record; ' +
          'say no when it would surprise an analyst to find the record there.' +
          (asked.length === 0 ? '' : facetChecks(facets, recorded)),
        maxTokens: 300 + FACET_ANSWER_TOKENS * asked.length,
      };
    },
  };
}

export interface BestFitInput {
  readonly item: JudgedItem;
  /** Candidate clusters, numbered from 1 in this order. */
  readonly candidates: readonly JudgedCluster[];
}

export interface BestFitReply {
  best: number;
  also_fits: number[];
  reason: string;
}

/**
 * Best and exclusive fit in one call: the model picks the candidate that fits best and lists
 * every other candidate the record would also fit. The schema is built per call so the numbers
 * must be those of the listed candidates.
 */
export function judgeBestFitTask(candidates: number): LlmTask<BestFitInput, BestFitReply> {
  const pick = optionNumber(candidates);
  return {
    name: 'judge_best_fit',
    kind: 'judge',
    version: 2,
    // Duplicates in the list are folded; a repeat of `best` there is dropped by the scorer.
    reply: z.object({
      best: pick,
      also_fits: z.array(pick).transform((numbers) => [...new Set(numbers)]),
      reason,
    }),
    tool: {
      name: 'pick_best_cluster',
      description:
        'Record the number of the best-fitting cluster, the numbers of any others that also fit, and why.',
    },
    prompt({ item, candidates }) {
      const list = candidates.map((c, i) => `${i + 1}. ${showCluster(c)}`).join('\n');
      return {
        system: SYSTEM,
        user:
          `${showItem(item)}\n\nCandidate clusters:\n${list}\n\n` +
          'Which cluster fits the record best? Then list every other candidate the record would ' +
          'fit just as naturally (leave the list empty when only the best one fits). Answer with ' +
          'the numbers of the clusters.',
        maxTokens: 400,
      };
    },
  };
}

export interface OverlapInput {
  readonly a: JudgedCluster & { readonly examples: readonly string[] };
  readonly b: JudgedCluster & { readonly examples: readonly string[] };
}

/** Uniqueness: are two neighbouring clusters of one level about different things? */
export const judgeOverlapTask: LlmTask<OverlapInput, { distinct: boolean; reason: string }> = {
  name: 'judge_overlap',
  kind: 'judge',
  version: 1,
  reply: z.object({ distinct: z.boolean(), reason }),
  tool: {
    name: 'compare_clusters',
    description: 'Record whether the two clusters are about different things, and why.',
  },
  prompt({ a, b }) {
    const show = (label: string, c: OverlapInput['a']) =>
      `Cluster ${label}: ${showCluster(c)}\nTypical records:\n${c.examples.map((e) => `- ${e}`).join('\n')}`;
    return {
      system:
        'You audit how a dataset was organised into clusters. Two clusters of the same level ' +
        'are shown. Keep the reason to one sentence. Answer only in the requested format.',
      user:
        `${show('A', a)}\n\n${show('B', b)}\n\n` +
        'Are these clusters distinct? Say yes when an analyst could tell for almost any record ' +
        'which of the two it belongs to; say no when they cover largely the same records.',
      maxTokens: 300,
    };
  },
};
