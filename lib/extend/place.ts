import pLimit from 'p-limit';
import { dot, normalize } from '../cluster/vectors.js';
import { isFatal, type Llm } from '../llm/types.js';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { SummarizedItem } from '../pipeline/types.js';
import { placeItemTask } from '../prompts/placement.js';

export type PlacementStatus = 'placed' | 'poor-fit' | 'rejected' | 'failed';

/** What became of one new item; every candidate gets one, so nothing is dropped unseen. */
export interface Placement {
  readonly id: string;
  readonly status: PlacementStatus;
  readonly partition: string | null;
  readonly summary: string | null;
  /** The base cluster it was filed under (placed items only). */
  readonly cluster: number | null;
  /** The nearest base cluster of its partition by embedding, and its similarity to that centroid. */
  readonly nearest: number | null;
  readonly similarity: number | null;
  /** The nearest cluster's poor-fit threshold. */
  readonly threshold: number | null;
  readonly reason: string | null;
}

/** A base cluster as placement sees it. */
export interface BaseFit {
  readonly id: number;
  readonly partition: string;
  readonly name: string;
  readonly description: string;
  readonly centroid: Float32Array;
  /** New items less similar to the centroid than this fit poorly. */
  readonly threshold: number;
  /** Indices of its members in the document's items. */
  readonly members: readonly number[];
}

/** Below this many members a cluster's own quartiles are too noisy; the run-wide ones stand in. */
const MIN_OWN_MEMBERS = 20;

function percentileOf(values: readonly number[], p: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (Math.min(100, Math.max(0, p)) / 100) * (sorted.length - 1);
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return (
    (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (at - low)
  );
}

/**
 * The lower outlier fence of similarities, Q1 − fence × IQR: a new item below it would be an
 * outlier among the cluster's own members. A fence rather than a fixed percentile because poor
 * fits are kept out: a 5th percentile would keep out one in twenty perfectly ordinary items.
 */
function lowerFence(values: readonly number[], fence: number): number | undefined {
  const q1 = percentileOf(values, 25);
  const q3 = percentileOf(values, 75);
  return q1 === undefined || q3 === undefined ? undefined : q1 - fence * (q3 - q1);
}

/**
 * Each base cluster's centroid and poor-fit threshold: the lower fence of its own members'
 * similarities to it. A member is measured against the centroid of the *other* members
 * (leave-one-out), since a centroid that includes the item flatters it, above all in small
 * clusters, and a new item never gets that help.
 */
export function baseFits(
  doc: HierarchyDoc,
  vectors: readonly Float32Array[],
  fence: number,
): BaseFit[] {
  const members = new Map<number, number[]>();
  doc.items.forEach((item, i) => {
    const base = item.path[0] as number;
    const list = members.get(base);
    if (list) list.push(i);
    else members.set(base, [i]);
  });
  const stats = doc.clusters
    .filter((c) => c.level === 0)
    .map((cluster) => {
      const list = members.get(cluster.id) ?? [];
      const sum = new Float32Array(vectors[list[0] ?? -1]?.length ?? 0);
      for (const i of list) {
        const v = vectors[i] as Float32Array;
        for (let d = 0; d < sum.length; d++) sum[d] = (sum[d] as number) + (v[d] as number);
      }
      const squared = dot(sum, sum);
      const own = list.flatMap((i) => {
        const s = dot(vectors[i] as Float32Array, sum);
        const rest = squared - 2 * s + 1;
        return rest > 1e-9 ? [(s - 1) / Math.sqrt(rest)] : [];
      });
      return { cluster, list, own, centroid: normalize(sum) };
    });
  const runWide = lowerFence(
    stats.flatMap((s) => s.own),
    fence,
  );
  return stats.map(({ cluster, list, own, centroid }) => ({
    id: cluster.id,
    partition: cluster.partition,
    name: cluster.name,
    description: cluster.description,
    centroid,
    // With no measurable members anywhere there is no basis to call anything a poor fit.
    threshold:
      (own.length >= MIN_OWN_MEMBERS ? lowerFence(own, fence) : runWide) ??
      Number.NEGATIVE_INFINITY,
    members: list,
  }));
}

export interface PlaceDeps {
  readonly llm: Llm;
  readonly concurrency: number;
  /** How many of the nearest clusters a generative model chooses among. */
  readonly candidates: number;
}

/**
 * Files each new item under the nearest base cluster of its partition. An item below that
 * cluster's threshold is a poor fit and stays out. With a generative model, the model confirms
 * the choice among the few nearest clusters the item fits, or rejects them all (it stays out
 * too); offline the embedding decides alone.
 */
export async function placeItems(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  fits: readonly BaseFit[],
  deps: PlaceDeps,
): Promise<{ placements: Placement[] }> {
  const limit = pLimit(deps.concurrency);
  const placements = await Promise.all(
    items.map((entry, i) =>
      limit(async (): Promise<Placement> => {
        const vector = vectors[i] as Float32Array;
        const base = { id: entry.item.id, partition: entry.partition, summary: entry.summary };
        const ranked = fits
          .filter((fit) => fit.partition === entry.partition)
          .map((fit) => ({ fit, similarity: dot(vector, fit.centroid) }))
          .sort((a, b) => b.similarity - a.similarity || a.fit.id - b.fit.id);
        const nearest = ranked[0];
        if (!nearest) {
          const reason = `the hierarchy has no cluster in partition "${entry.partition}"`;
          return { ...base, ...unplaced('poor-fit', reason) };
        }
        const measured = {
          nearest: nearest.fit.id,
          similarity: round(nearest.similarity),
          threshold: Number.isFinite(nearest.fit.threshold) ? round(nearest.fit.threshold) : null,
        };
        if (nearest.similarity < nearest.fit.threshold) {
          const reason = `similarity ${measured.similarity} to the nearest cluster is below its threshold ${measured.threshold}`;
          return { ...base, ...measured, status: 'poor-fit', cluster: null, reason };
        }
        if (!deps.llm.generative) {
          return { ...base, ...measured, status: 'placed', cluster: nearest.fit.id, reason: null };
        }
        const offered = ranked
          .filter((r) => r.similarity >= r.fit.threshold)
          .slice(0, deps.candidates)
          .map((r) => r.fit);
        try {
          const reply = await deps.llm.run(placeItemTask(offered.length), {
            summary: entry.summary,
            clusters: offered,
          });
          const chosen = offered[reply.value.choice - 1];
          if (!chosen) {
            const reason = `the model found none of the ${offered.length} nearest clusters fits`;
            return { ...base, ...measured, status: 'rejected', cluster: null, reason };
          }
          return { ...base, ...measured, status: 'placed', cluster: chosen.id, reason: null };
        } catch (error) {
          // A spent budget or a rejected key fails every item alike: stop instead.
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          const reason = `confirming the placement failed: ${(error as Error).message}`;
          return { ...base, ...measured, status: 'failed', cluster: null, reason };
        }
      }),
    ),
  );
  return { placements };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

function unplaced(status: PlacementStatus, reason: string) {
  return { status, cluster: null, nearest: null, similarity: null, threshold: null, reason };
}

/** Items whose summary failed: they were never placed, and say why. */
export function failedSummaries(
  failures: readonly { readonly id: string; readonly reason: string }[],
): Placement[] {
  return failures.map((f) => ({
    id: f.id,
    partition: null,
    summary: null,
    ...unplaced('failed', `summarizing failed: ${f.reason}`),
  }));
}
