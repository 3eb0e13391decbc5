import pLimit from 'p-limit';
import { failureCode, isFatal, type Llm } from '../llm/types.js';
import type { Failure } from '../pipeline/types.js';
import { nameClusterTask } from '../prompts/naming.js';
import { distinctiveTerms } from './keywords.js';
import type { Level } from './types.js';
import { byCloseness, dot } from './vectors.js';

const REPRESENTATIVES = 10;
const CONTRAST_CLUSTERS = 3;
const CONTRAST_PER_CLUSTER = 2;
/** Members read per cluster for keywords: the closest to the centre, so huge clusters stay cheap. */
const KEYWORD_MEMBERS = 400;

export interface NamingDeps {
  readonly llm: Llm;
  readonly concurrency: number;
  readonly onNamed?: (done: number) => void;
}

function representatives(
  itemIndices: readonly number[],
  centroid: Float32Array,
  texts: readonly string[],
  vectors: readonly Float32Array[],
  count: number,
): string[] {
  const unique = new Set<string>();
  for (const index of byCloseness(vectors, itemIndices, centroid)) {
    unique.add(texts[index] as string);
    if (unique.size >= count) break;
  }
  return [...unique];
}

/**
 * Names every unnamed cluster of a level from its most typical members, contrasted with the nearest
 * other clusters, and its distinctive terms. A cluster whose naming fails keeps its members,
 * takes its keywords as a name, and is recorded as a failure.
 */
export async function nameLevel(
  level: Level,
  texts: readonly string[],
  vectors: readonly Float32Array[],
  deps: NamingDeps,
): Promise<{ failures: Failure[] }> {
  const members = level.map((c) =>
    representatives(c.itemIndices, c.centroid, texts, vectors, KEYWORD_MEMBERS),
  );
  const keywords = distinctiveTerms(members);
  const limit = pLimit(deps.concurrency);
  const failures: Failure[] = [];
  let done = 0;

  await Promise.all(
    level.map((cluster, c) =>
      limit(async () => {
        // Already named by the grouping (the model's parents, partitions): keep that name.
        if (cluster.name) return;
        const nearest = level
          .filter((other) => other !== cluster)
          .map((other) => ({ other, score: dot(other.centroid, cluster.centroid) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, CONTRAST_CLUSTERS);
        const contrast = nearest.flatMap(({ other }) =>
          (members[other.id] ?? []).slice(0, CONTRAST_PER_CLUSTER),
        );
        const input = {
          members: (members[c] ?? []).slice(0, REPRESENTATIVES),
          contrast,
          keywords: keywords[c] ?? [],
        };
        try {
          const reply = await deps.llm.run(nameClusterTask, input);
          cluster.name = reply.value.name;
          cluster.description = reply.value.description;
        } catch (error) {
          // A spent budget or a rejected key would fail every cluster: the stage stops instead
          // of naming the rest by keywords and calling the run done.
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          failures.push({
            stage: 'name',
            id: `level ${cluster.level} cluster ${cluster.id}`,
            reason: (error as Error).message,
            code: failureCode(error),
          });
          cluster.name = input.keywords.slice(0, 3).join(', ') || `Cluster ${cluster.id}`;
          cluster.description = `Naming failed; distinctive terms: ${input.keywords.join(', ')}`;
        }
        deps.onNamed?.(++done);
      }),
    ),
  );
  return { failures };
}
