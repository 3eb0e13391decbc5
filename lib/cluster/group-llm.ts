import pLimit from 'p-limit';
import type { Embedder } from '../embed/types.js';
import { failureCode, isFatal, type Llm } from '../llm/types.js';
import type { Failure } from '../pipeline/types.js';
import {
  assignParentTask,
  dedupeParentsTask,
  type NamedCluster,
  proposeParentsTask,
  renameParentTask,
} from '../prompts/grouping.js';
import { distinctNames } from '../prompts/reply-text.js';
import { groupBy } from '../util/group-by.js';
import { kmeans } from './kmeans.js';
import { dot } from './vectors.js';

/** About this many clusters are shown to the model at once when it proposes parents. */
const NEIGHBORHOOD_SIZE = 40;

export interface ParentGroup {
  name: string;
  description: string;
  /** Indices into the `children` array given to the grouping. */
  members: number[];
}

export interface GroupingDeps {
  readonly llm: Llm;
  readonly embedder: Embedder;
  readonly concurrency: number;
  readonly seed: number;
}

/**
 * Groups clusters into about `k` parents with the model: neighbourhoods of similar clusters get
 * candidate parent names, the candidates are merged to about `k`, each cluster is assigned to its
 * best parent, and each parent is renamed from the clusters it received. `groups` is undefined
 * when no candidate parents could be had (the caller groups by similarity instead).
 */
export async function groupWithLlm(
  children: readonly NamedCluster[],
  k: number,
  deps: GroupingDeps,
): Promise<{ groups: ParentGroup[] | undefined; failures: Failure[] }> {
  const { llm, embedder } = deps;
  const limit = pLimit(deps.concurrency);
  const failures: Failure[] = [];

  const childTexts = children.map((c) => `${c.name}: ${c.description}`);
  const childVectors = await embedder.embed(childTexts);
  const hoodCount = Math.max(1, Math.round(children.length / NEIGHBORHOOD_SIZE));
  const hoods =
    hoodCount === 1
      ? new Int32Array(children.length)
      : (await kmeans(childVectors, { k: hoodCount, seed: deps.seed, threads: 1 })).assignments;
  const hoodMembers = groupBy(children, (_, i) => hoods[i]);
  let names: string[];
  try {
    const proposals = await Promise.all(
      [...hoodMembers.values()].map((clusters) =>
        limit(async () => {
          const count = Math.max(1, Math.ceil((k * clusters.length) / children.length));
          return (await llm.run(proposeParentsTask, { clusters, count })).value.names;
        }),
      ),
    );
    names = distinctNames(proposals.flat());
    if (names.length > k) {
      const merged = (await llm.run(dedupeParentsTask, { candidates: names, count: k })).value;
      names = distinctNames(merged.names);
    }
  } catch (error) {
    if (isFatal(error)) throw error;
    // Without candidate parents there is nothing to assign to: group by meaning instead.
    failures.push({
      stage: 'name',
      id: `${children.length} clusters`,
      reason: `proposing parent categories failed, grouped by similarity instead: ${(error as Error).message}`,
      code: failureCode(error),
    });
    return { groups: undefined, failures };
  }
  // Never more parents than asked for, whatever the model returned.
  names = names.slice(0, k);
  if (names.length === 0) {
    failures.push({
      stage: 'name',
      id: `${children.length} clusters`,
      reason: 'the model proposed no usable parent category; grouped by similarity instead',
    });
    return { groups: undefined, failures };
  }

  // Only needed when an assignment fails. One call for both sides of the comparison, since some
  // embedders (TF-IDF) fit on the call's texts.
  let fallbackVectors: Promise<Float32Array[]> | undefined;
  const closestParent = async (child: number) => {
    fallbackVectors ??= embedder.embed([...childTexts, ...names]);
    const both = await fallbackVectors;
    const vector = both[child] as Float32Array;
    let best = 0;
    for (let p = 1; p < names.length; p++) {
      if (
        dot(both[children.length + p] as Float32Array, vector) >
        dot(both[children.length + best] as Float32Array, vector)
      )
        best = p;
    }
    return best;
  };
  const assign = assignParentTask(names);
  const chosen = await Promise.all(
    children.map((cluster, i) =>
      limit(async () => {
        try {
          return names.indexOf((await llm.run(assign, { cluster, parents: names })).value.parent);
        } catch (error) {
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          // Filed by meaning instead, and recorded, rather than left without a parent.
          failures.push({
            stage: 'name',
            id: `cluster "${cluster.name}"`,
            reason: (error as Error).message,
          });
          return closestParent(i);
        }
      }),
    ),
  );

  const groups: ParentGroup[] = names
    .map((name) => ({ name, description: '', members: [] as number[] }))
    .map((group, p) => ({ ...group, members: chosen.flatMap((c, i) => (c === p ? [i] : [])) }))
    .filter((group) => group.members.length > 0);
  await Promise.all(
    groups.map((group) =>
      limit(async () => {
        try {
          const { value } = await llm.run(renameParentTask, {
            children: group.members.map((i) => children[i] as NamedCluster),
          });
          group.name = value.name;
          group.description = value.description;
        } catch (error) {
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          failures.push({
            stage: 'name',
            id: `parent "${group.name}"`,
            reason: (error as Error).message,
          });
          group.description = `Groups: ${group.members.map((i) => children[i]?.name).join('; ')}`;
        }
      }),
    ),
  );
  return { groups, failures };
}
