import pLimit from 'p-limit';
import { NAME_LIMITS, nameFromPhrases } from '../llm/offline-names.js';
import { failureCode, isFatal, type Llm } from '../llm/types.js';
import type { Failure } from '../pipeline/types.js';
import { nameClusterTask } from '../prompts/naming.js';
import { clipText, MAX_NAME_CHARS } from '../prompts/reply-text.js';
import { distinctivePhrases } from './keywords.js';
import { type ClusterNode, isShown, type Level } from './types.js';
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
 * other clusters, and its distinctive phrases; a parent's name must differ from its children's
 * (`below` is the level it groups). A cluster whose naming fails keeps its members, takes a name
 * made of its phrases, and is recorded as a failure. Names end distinct within each partition.
 */
export async function nameLevel(
  level: Level,
  texts: readonly string[],
  vectors: readonly Float32Array[],
  deps: NamingDeps,
  below?: Level,
): Promise<{ failures: Failure[] }> {
  // Held-back clusters are neither named nor used as contrast: nothing of them reaches a name.
  const members = level.map((c) =>
    isShown(c) ? representatives(c.itemIndices, c.centroid, texts, vectors, KEYWORD_MEMBERS) : [],
  );
  const phrases = await distinctivePhrases(members);
  const keywords = phrases.map((terms) => terms.map((t) => t.term));
  const limit = pLimit(deps.concurrency);
  const failures: Failure[] = [];
  let done = 0;

  await Promise.all(
    level.map((cluster, c) =>
      limit(async () => {
        // Already named by the grouping (the model's parents, partitions): keep that name.
        if (cluster.name || !isShown(cluster)) return;
        const nearest = level
          .filter((other) => other !== cluster && isShown(other))
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
          keywordShares: phrases[c]?.map((t) => t.share) ?? [],
          avoid: below ? cluster.children.map((id) => below[id]?.name ?? '').filter(Boolean) : [],
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
          cluster.name = nameFromPhrases(input.keywords, input) ?? `Cluster ${cluster.id}`;
          cluster.description = `Naming failed; distinctive terms: ${input.keywords.join(', ')}`;
        }
        deps.onNamed?.(++done);
      }),
    ),
  );
  distinguishNames(level, keywords);
  return { failures };
}

const fits = (name: string) =>
  name.split(' ').length <= NAME_LIMITS.maxWords && Array.from(name).length <= NAME_LIMITS.maxChars;

/** The first of the cluster's phrases that the name does not already say. */
function qualifier(name: string, phrases: readonly string[]): string | undefined {
  const said = ` ${name.toLowerCase()} `;
  return phrases.find((p) => !p.split(' ').every((w) => said.includes(` ${w.toLowerCase()} `)));
}

/**
 * Gives clusters of one level and partition that ended up with the same name (two parents the
 * model named alike, two clusters with the same top phrases) each a qualifier from their own
 * distinctive phrases, "Office suite (Latvian)", or failing that a number, so no two siblings
 * read the same. `keywords[id]` are the phrases of the cluster with that id, when known.
 */
export function distinguishNames(level: Level, keywords: readonly (readonly string[])[] = []) {
  const alike = new Map<string, ClusterNode[]>();
  for (const cluster of level.filter(isShown)) {
    const key = `${cluster.partition}\n${cluster.name.trim().toLowerCase()}`;
    alike.set(key, [...(alike.get(key) ?? []), cluster]);
  }
  const taken = new Set(alike.keys());
  for (const [key, clusters] of alike) {
    if (clusters.length < 2) continue;
    for (const [n, cluster] of clusters.entries()) {
      const partition = key.slice(0, key.indexOf('\n') + 1);
      const extra = qualifier(cluster.name, keywords[cluster.id] ?? []);
      const qualified = extra ? `${cluster.name} (${extra})` : undefined;
      const name =
        qualified && fits(qualified) && !taken.has(partition + qualified.toLowerCase())
          ? qualified
          : n === 0
            ? cluster.name
            : `${clipText(cluster.name, MAX_NAME_CHARS - 4)} (${n + 1})`;
      taken.add(partition + name.toLowerCase());
      cluster.name = name;
    }
  }
}
