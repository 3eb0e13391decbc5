import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { groupBy } from '../util/group-by.js';
import { type FacetScore, scoreFacets } from './judge-facets.js';
import type { Check, JudgeMetric, JudgePlan, Verdict } from './judge-plan.js';

/**
 * Turns the verdicts of a judged run into scores: per metric, per level, per cluster, and the
 * items that failed most checks. A judgement that never got a valid reply counts as `failed`,
 * never as a pass or a fail.
 */

export interface MetricScore {
  /** Verdicts the model gave (passing or not). */
  readonly judged: number;
  readonly passed: number;
  /** Judgements with no valid reply after the provider's retries: in neither count above. */
  readonly failed: number;
  /** `passed / judged`; null when nothing was judged. */
  readonly score: number | null;
}

export type LevelVerdict = Verdict & { readonly level: number };

export interface ItemJudgement {
  readonly id: string;
  /** The item's base cluster. */
  readonly cluster: number;
  readonly partitionRelevance?: Verdict;
  readonly hierarchicalFit: LevelVerdict[];
  readonly bestFit?: Verdict;
  readonly exclusiveFit?: Verdict;
  /** The judge's check of each question-facet answer, by facet name (with `eval_facets`). */
  readonly facets?: Readonly<Record<string, Verdict>>;
}

/** Uniqueness: one cluster and its nearest neighbour at one level. */
export type PairJudgement = Verdict & {
  readonly level: number;
  readonly a: number;
  readonly b: number;
  /** Cosine similarity of the two clusters' centroids. */
  readonly similarity: number;
};

export interface ClusterJudgement {
  readonly level: number;
  readonly id: number;
  /** Judged items in the cluster. */
  readonly items: number;
  readonly hierarchicalFit: MetricScore;
  /** Base clusters only. */
  readonly bestFit?: MetricScore;
  readonly exclusiveFit?: MetricScore;
}

export interface WorstItem {
  readonly id: string;
  readonly cluster: number;
  /** Checks the item did not pass, with the judge's reason for each. */
  readonly failedChecks: readonly { readonly check: string; readonly reason: string }[];
}

export interface JudgeScores {
  readonly scores: Readonly<Record<JudgeMetric, MetricScore | null>>;
  readonly levels: readonly {
    readonly level: number;
    readonly hierarchicalFit: MetricScore | null;
    readonly uniqueness: MetricScore | null;
  }[];
  /** Clusters with judged items, level by level, worst hierarchical fit first. */
  readonly clusters: readonly ClusterJudgement[];
  readonly pairs: readonly PairJudgement[];
  /** Items that failed the most checks (at most 20). */
  readonly worstItems: readonly WorstItem[];
  readonly items: readonly ItemJudgement[];
  /** Per checked question facet; empty without `eval_facets`. */
  readonly facets: readonly FacetScore[];
}

const WORST_ITEMS = 20;

const isFail = (v: Verdict | undefined): boolean => v !== undefined && 'pass' in v && !v.pass;

export function tally(verdicts: Iterable<Verdict | undefined>): MetricScore {
  let passed = 0;
  let judged = 0;
  let failed = 0;
  for (const v of verdicts) {
    if (v === undefined) continue;
    if ('error' in v) failed++;
    else {
      judged++;
      if (v.pass) passed++;
    }
  }
  return { judged, passed, failed, score: judged > 0 ? passed / judged : null };
}

const orNull = (score: MetricScore) => (score.judged + score.failed > 0 ? score : null);

/** A check as the report names it. */
export function checkLabel(
  check: Pick<Check, 'metric'> & { level?: number; facet?: string },
): string {
  switch (check.metric) {
    case 'facet':
      return `facet ${check.facet}`;
    case 'partitionRelevance':
      return 'partition relevance';
    case 'hierarchicalFit':
      return `hierarchical fit, level ${check.level}`;
    case 'bestFit':
      return 'best fit';
    case 'exclusiveFit':
      return 'exclusive fit';
    default:
      return 'uniqueness';
  }
}

type MutableJudgement = {
  -readonly [K in keyof ItemJudgement]: ItemJudgement[K];
} & { facets?: Record<string, Verdict> };

export function scoreJudgements(
  doc: HierarchyDoc,
  plan: JudgePlan,
  outcomes: readonly { check: Check; verdict: Verdict }[],
): JudgeScores {
  const byItem = new Map<number, MutableJudgement>();
  for (const i of plan.sample) {
    const item = doc.items[i];
    if (item) byItem.set(i, { id: item.id, cluster: item.path[0] as number, hierarchicalFit: [] });
  }
  const pairs: PairJudgement[] = [];
  for (const { check, verdict } of outcomes) {
    if (check.metric === 'uniqueness') {
      const { level, a, b, similarity } = check;
      pairs.push({ level, a, b, similarity, ...verdict });
      continue;
    }
    const record = byItem.get(check.item);
    if (!record) continue;
    if (check.metric === 'hierarchicalFit')
      record.hierarchicalFit.push({ ...verdict, level: check.level });
    else if (check.metric === 'facet') {
      record.facets ??= {};
      record.facets[check.facet] = verdict;
    } else record[check.metric] = verdict;
  }
  const items = [...byItem.values()];
  for (const item of items) item.hierarchicalFit.sort((a, b) => a.level - b.level);
  pairs.sort((x, y) => x.level - y.level || x.a - y.a || x.b - y.b);

  const fitAt = (item: ItemJudgement, level: number) =>
    item.hierarchicalFit.find((v) => v.level === level);
  const levels = plan.fitLevels.map((level) => ({
    level,
    hierarchicalFit: orNull(tally(items.map((item) => fitAt(item, level)))),
    uniqueness: orNull(tally(pairs.filter((p) => p.level === level))),
  }));

  const clusters: ClusterJudgement[] = [];
  const sampled = plan.sample.map((i) => doc.items[i]).filter((x) => x !== undefined);
  for (const level of plan.fitLevels) {
    const judgements = new Map(items.map((item) => [item.id, item]));
    const groups = groupBy(sampled, (item) => item.path[level] as number);
    const rows = [...groups].map(([id, members]): ClusterJudgement => {
      const mine = members.map((m) => judgements.get(m.id)).filter((x) => x !== undefined);
      return {
        level,
        id,
        items: members.length,
        hierarchicalFit: tally(mine.map((item) => fitAt(item, level))),
        ...(level === 0 && plan.candidates > 0
          ? {
              bestFit: tally(mine.map((item) => item.bestFit)),
              exclusiveFit: tally(mine.map((item) => item.exclusiveFit)),
            }
          : {}),
      };
    });
    rows.sort(
      (x, y) =>
        (x.hierarchicalFit.score ?? 2) - (y.hierarchicalFit.score ?? 2) ||
        y.items - x.items ||
        x.id - y.id,
    );
    clusters.push(...rows);
  }

  // Facet answers are not checks of the clustering: a disagreement there is in `facets`, not here.
  const worstItems = items
    .map((item): WorstItem => {
      const checks: [string, Verdict | undefined][] = [
        [checkLabel({ metric: 'partitionRelevance' }), item.partitionRelevance],
        ...item.hierarchicalFit.map((v): [string, Verdict] => [
          checkLabel({ metric: 'hierarchicalFit', level: v.level }),
          v,
        ]),
        [checkLabel({ metric: 'bestFit' }), item.bestFit],
        [checkLabel({ metric: 'exclusiveFit' }), item.exclusiveFit],
      ];
      return {
        id: item.id,
        cluster: item.cluster,
        failedChecks: checks
          .filter(([, v]) => isFail(v))
          .map(([check, v]) => ({ check, reason: v && 'reason' in v ? v.reason : '' })),
      };
    })
    .filter((w) => w.failedChecks.length > 0)
    .sort((a, b) => b.failedChecks.length - a.failedChecks.length || (a.id < b.id ? -1 : 1))
    .slice(0, WORST_ITEMS);

  const all = (metric: Exclude<JudgeMetric, 'uniqueness'>) =>
    orNull(
      tally(
        items.flatMap((item) =>
          metric === 'hierarchicalFit' ? item.hierarchicalFit : [item[metric]],
        ),
      ),
    );
  return {
    scores: {
      partitionRelevance: all('partitionRelevance'),
      hierarchicalFit: all('hierarchicalFit'),
      bestFit: all('bestFit'),
      exclusiveFit: all('exclusiveFit'),
      uniqueness: orNull(tally(pairs)),
    },
    levels,
    clusters,
    pairs,
    worstItems,
    items,
    facets: scoreFacets(plan.facets, items),
  };
}
