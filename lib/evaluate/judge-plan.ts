import { byCloseness, dot, meanVector } from '../cluster/vectors.js';
import type { FacetSpec, FacetSpecs } from '../config/facets.js';
import type { Llm, LlmPrompt, LlmTask, TokenUsage } from '../llm/types.js';
import type { ClusterRecord, HierarchyDoc, ItemRecord } from '../output/hierarchy-schema.js';
import { sampleItems } from '../pipeline/sample.js';
import {
  type JudgedCluster,
  type JudgedItem,
  judgeBestFitTask,
  judgeClusterFitTask,
  judgeOverlapTask,
  judgePartitionTask,
} from '../prompts/judge.js';
import type { Item } from '../sources/types.js';
import { indicesByLabel } from '../util/group-by.js';
import { hashParts } from '../util/hash.js';
import { facetsToCheck, facetVerdict, recordedAnswers } from './judge-facets.js';

/**
 * What the judge will ask, as a list of calls: built once for a run and used both to judge and
 * to price the judging (`--estimate`) without spending.
 */

/** Other base clusters shown beside an item's own in the best-fit question. */
const DEFAULT_CANDIDATES = 4;
/** Typical records shown per cluster when two are compared. */
const OVERLAP_EXAMPLES = 3;

export type JudgeMetric =
  | 'partitionRelevance'
  | 'hierarchicalFit'
  | 'bestFit'
  | 'exclusiveFit'
  | 'uniqueness';

/** What one verdict is about: `item` is an index into `doc.items`. */
export type Check =
  | { readonly metric: 'partitionRelevance'; readonly item: number }
  | { readonly metric: 'hierarchicalFit'; readonly item: number; readonly level: number }
  | { readonly metric: 'bestFit' | 'exclusiveFit'; readonly item: number }
  | { readonly metric: 'facet'; readonly item: number; readonly facet: string }
  | {
      readonly metric: 'uniqueness';
      readonly level: number;
      readonly a: number;
      readonly b: number;
      readonly similarity: number;
    };

/** The model's verdict with its reason (and what it picked), or why there is none. */
export type Verdict =
  | {
      readonly pass: boolean;
      readonly reason: string;
      /** The partition or base cluster id the model picked, where it picks one. */
      readonly chosen?: string | number;
      /** Exclusive fit: the other base clusters the model said the item also fits. */
      readonly alsoFits?: readonly number[];
      /** A scale facet: how far the model's value is from the recorded one. */
      readonly difference?: number;
    }
  | { readonly error: string };

/** The call-site label of a job, one per kind of question (best fit also answers exclusive fit). */
export type JudgeStage = 'partition' | 'hierarchy' | 'best-fit' | 'uniqueness';

export interface JudgeJob {
  readonly stage: JudgeStage;
  /** The verdicts this one call yields, in the order `run` returns them. */
  readonly checks: readonly Check[];
  /** Question facets this call also answers (each adds to the reply). */
  readonly facets: number;
  prompt(): LlmPrompt;
  run(llm: Llm): Promise<{ verdicts: Verdict[]; usage: TokenUsage; model: string }>;
}

export interface JudgePlan {
  /** Indices into `doc.items` of the judged items, in document order. */
  readonly sample: readonly number[];
  readonly jobs: readonly JudgeJob[];
  /** Levels whose clusters are judged for fit (the partition level is judged as partitions). */
  readonly fitLevels: readonly number[];
  readonly partitions: boolean;
  /** Candidates per best-fit question, the item's own cluster included; 0 when not asked. */
  readonly candidates: number;
  /** The question facets checked on each sampled item (none when not asked). */
  readonly facets: FacetSpecs;
}

export interface PlanOptions {
  /** `eval_sample`: judge this many items (null = all). */
  readonly sample: number | null;
  readonly seed: number;
  readonly candidates?: number;
  /** `eval_facets`: the question facets whose answers the judge checks (none when absent). */
  readonly facets?: FacetSpecs;
}

function job<I, O>(
  stage: JudgeStage,
  checks: readonly Check[],
  task: LlmTask<I, O>,
  input: I,
  read: (value: O) => Verdict[],
  facets = 0,
): JudgeJob {
  return {
    stage,
    checks,
    facets,
    prompt: () => task.prompt(input),
    async run(llm) {
      const reply = await llm.run(task, input);
      return { verdicts: read(reply.value), usage: reply.usage, model: reply.model };
    },
  };
}

/** The items `eval_sample` selects: the same seeded sample `generate` takes of a source. */
export function judgeSample(doc: HierarchyDoc, size: number | null, seed: number): number[] {
  const stand = doc.items.map((item): Item => ({ id: item.id, inputs: null, metadata: {} }));
  const index = new Map(stand.map((item, i) => [item, i]));
  return sampleItems(stand, size, seed).map((item) => index.get(item) as number);
}

const judged = (item: ItemRecord): JudgedItem => ({ summary: item.summary, preview: item.preview });
const shown = (c: ClusterRecord | undefined): JudgedCluster => ({
  name: c?.name ?? '',
  description: c?.description ?? '',
});

/**
 * Every judge call for a run. With `vectors` (one per item) the best-fit candidates are the base
 * clusters nearest the item and uniqueness compares each cluster with its nearest neighbour;
 * without (an estimate), stand-ins of the same number and size take their place.
 */
export function planJudgements(
  doc: HierarchyDoc,
  vectors: readonly Float32Array[] | undefined,
  options: PlanOptions,
): JudgePlan {
  const clusterOf = new Map(doc.clusters.map((c) => [`${c.level}:${c.id}`, c]));
  const cluster = (level: number, id: number) => clusterOf.get(`${level}:${id}`);
  const partitionNames = Object.keys(doc.run.partitions ?? {});
  const partitions = partitionNames.length > 1;
  // With partitions and more than one level the top level is the partitions themselves.
  const partitionTop = doc.run.partitions !== null && doc.levels.length > 1;
  const fitLevels = doc.levels
    .map((l) => l.level)
    .filter((level) => !(partitionTop && level === doc.levels.length - 1));
  const sample = judgeSample(doc, options.sample, options.seed);
  const jobs: JudgeJob[] = [];

  if (partitions) {
    const task = judgePartitionTask(partitionNames);
    for (const i of sample) {
      const item = doc.items[i] as ItemRecord;
      const input = { item: judged(item), partitions: doc.run.partitions ?? {} };
      jobs.push(
        job('partition', [{ metric: 'partitionRelevance', item: i }], task, input, (v) => [
          { pass: v.partition === item.partition, reason: v.reason, chosen: v.partition },
        ]),
      );
    }
  }

  for (const i of sample) {
    const item = doc.items[i] as ItemRecord;
    for (const level of fitLevels) {
      // The facets ride on the base-level call: every sampled item gets exactly one.
      const checked = level === 0 ? facetsToCheck(item, options.facets ?? {}) : {};
      const names = Object.keys(checked);
      const recorded = recordedAnswers(item, checked);
      const input = {
        item: judged(item),
        cluster: shown(cluster(level, item.path[level] as number)),
        level,
        levels: doc.levels.length,
        clusters: doc.levels[level]?.count ?? 0,
        ...(names.length > 0 ? { facets: recorded } : {}),
      };
      const checks: Check[] = [
        { metric: 'hierarchicalFit', item: i, level },
        ...names.map((facet): Check => ({ metric: 'facet', item: i, facet })),
      ];
      jobs.push(
        job(
          'hierarchy',
          checks,
          judgeClusterFitTask(checked),
          input,
          (v) => [
            { pass: v.fits, reason: v.reason },
            ...names.map((name) =>
              facetVerdict(
                checked[name] as FacetSpec,
                recorded[name] as string | number,
                v.facets?.[name],
              ),
            ),
          ],
          names.length,
        ),
      );
    }
  }

  const members = doc.levels.map(({ level }) =>
    indicesByLabel(doc.items.map((item) => item.path[level] as number)),
  );
  const centroids = vectors
    ? members.map((byId) => new Map([...byId].map(([id, list]) => [id, meanVector(vectors, list)])))
    : undefined;

  const baseIds = [...(members[0]?.keys() ?? [])].sort((a, b) => a - b);
  const others = Math.min(options.candidates ?? DEFAULT_CANDIDATES, baseIds.length - 1);
  if (others > 0) {
    const task = judgeBestFitTask(others + 1);
    for (const i of sample) {
      const item = doc.items[i] as ItemRecord;
      const own = item.path[0] as number;
      const nearest = baseIds.filter((id) => id !== own);
      const vector = vectors?.[i];
      if (vector && centroids) {
        const sim = (id: number) => dot(vector, centroids[0]?.get(id) as Float32Array);
        nearest.sort((a, b) => sim(b) - sim(a) || a - b);
      }
      // A seeded shuffle, so the item's own cluster is not always first.
      const ids = [own, ...nearest.slice(0, others)]
        .map((id) => ({ id, rank: hashParts(String(options.seed), item.id, String(id)) }))
        .sort((a, b) => (a.rank < b.rank ? -1 : 1))
        .map((c) => c.id);
      const input = { item: judged(item), candidates: ids.map((id) => shown(cluster(0, id))) };
      const checks: Check[] = [
        { metric: 'bestFit', item: i },
        { metric: 'exclusiveFit', item: i },
      ];
      jobs.push(
        job('best-fit', checks, task, input, (v) => {
          const best = ids[v.best - 1] as number;
          const also = [...new Set(v.also_fits.map((n) => ids[n - 1] as number))].filter(
            (id) => id !== best,
          );
          const fitting = new Set([best, ...also]);
          return [
            { pass: best === own, reason: v.reason, chosen: best },
            {
              pass: fitting.size === 1 && fitting.has(own),
              reason: v.reason,
              alsoFits: also,
            },
          ];
        }),
      );
    }
  }

  for (const level of fitLevels) {
    const byId = members[level];
    if (!byId || byId.size < 2) continue;
    const ids = [...byId.keys()].sort((a, b) => a - b);
    const centre = centroids?.[level];
    const examples = (id: number) => {
      const list = byId.get(id) ?? [];
      const ordered =
        vectors && centre ? byCloseness(vectors, list, centre.get(id) as Float32Array) : list;
      return ordered.slice(0, OVERLAP_EXAMPLES).map((k) => doc.items[k]?.summary ?? '');
    };
    for (const pair of neighbourPairs(ids, centre)) {
      const input = {
        a: { ...shown(cluster(level, pair.a)), examples: examples(pair.a) },
        b: { ...shown(cluster(level, pair.b)), examples: examples(pair.b) },
      };
      jobs.push(
        job(
          'uniqueness',
          [{ metric: 'uniqueness', level, ...pair }],
          judgeOverlapTask,
          input,
          (v) => [{ pass: v.distinct, reason: v.reason }],
        ),
      );
    }
  }

  return {
    sample,
    jobs,
    fitLevels,
    partitions,
    candidates: others > 0 ? others + 1 : 0,
    facets: options.facets ?? {},
  };
}

/**
 * Each cluster with its nearest other cluster, each pair once: the pairs most likely to overlap,
 * one per cluster at most. Without centroids (an estimate) every cluster stands in for a pair.
 */
function neighbourPairs(
  ids: readonly number[],
  centroids: ReadonlyMap<number, Float32Array> | undefined,
): { a: number; b: number; similarity: number }[] {
  if (!centroids) {
    return ids.map((a, k) => ({ a, b: ids[(k + 1) % ids.length] as number, similarity: 0 }));
  }
  const pairs = new Map<string, { a: number; b: number; similarity: number }>();
  for (const a of ids) {
    const ca = centroids.get(a) as Float32Array;
    let best: { b: number; similarity: number } | undefined;
    for (const b of ids) {
      if (b === a) continue;
      const similarity = dot(ca, centroids.get(b) as Float32Array);
      if (!best || similarity > best.similarity) best = { b, similarity };
    }
    if (!best) continue;
    const [lo, hi] = a < best.b ? [a, best.b] : [best.b, a];
    pairs.set(`${lo}:${hi}`, { a: lo, b: hi, similarity: best.similarity });
  }
  return [...pairs.values()].sort((x, y) => x.a - y.a || x.b - y.b);
}
