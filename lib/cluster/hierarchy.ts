import type { Embedder } from '../embed/types.js';
import { addUsage, emptyUsage, type Llm, type TokenUsage } from '../llm/types.js';
import type { Failure, ProgressReporter, SummarizedItem } from '../pipeline/types.js';
import { silentProgress } from '../pipeline/types.js';
import { groupBy } from '../util/group-by.js';
import { allocateClusters } from './allocate.js';
import { clusterBaseLevel } from './base-level.js';
import { groupByCentroid } from './group-centroid.js';
import { groupWithLlm } from './group-llm.js';
import { nameLevel } from './naming.js';
import type { ClusterNode, Level } from './types.js';
import { meanVector } from './vectors.js';

export interface HierarchyOptions {
  /** Clusters per level, base first, strictly decreasing. */
  readonly hierarchy: readonly number[];
  readonly partitions: Readonly<Record<string, string>> | null;
  readonly seed: number;
  readonly concurrency: number;
  readonly progress?: ProgressReporter;
}

export interface HierarchyDeps {
  readonly llm: Llm;
  readonly embedder: Embedder;
}

export interface BuiltHierarchy {
  /** Base level first. Every item index appears in exactly one cluster per level. */
  readonly levels: Level[];
  readonly failures: Failure[];
  readonly warnings: string[];
  readonly usage: TokenUsage;
}

interface Group {
  readonly name?: string;
  readonly description?: string;
  readonly members: readonly number[];
}

function parentsFrom(
  groups: readonly {
    readonly partition: string;
    readonly children: readonly ClusterNode[];
    readonly group: Group;
  }[],
  level: number,
  vectors: readonly Float32Array[],
): Level {
  const parents: Level = [];
  const ordered = groups
    .map(({ partition, children, group }) => ({
      partition,
      group,
      members: group.members.map((m) => children[m] as ClusterNode),
    }))
    .map((g) => ({ ...g, itemIndices: g.members.flatMap((c) => c.itemIndices) }));
  for (const { partition, group, members, itemIndices } of ordered) {
    const parent: ClusterNode = {
      level,
      id: parents.length,
      name: group.name ?? '',
      description: group.description ?? '',
      partition,
      children: members.map((c) => c.id),
      itemIndices,
      centroid: meanVector(vectors, itemIndices),
    };
    for (const child of members) child.parent = parent.id;
    parents.push(parent);
  }
  return parents;
}

/**
 * Builds the whole hierarchy: k-means base clusters, then each higher level grouped from the one
 * below (by the model's neighbourhood method when it is generative, by centroid similarity
 * otherwise). With partitions, groups never cross partitions and the top level is the partitions
 * themselves.
 */
export async function buildHierarchy(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  deps: HierarchyDeps,
  options: HierarchyOptions,
): Promise<BuiltHierarchy> {
  const progress = options.progress ?? silentProgress;
  const texts = items.map((i) => i.summary);
  const failures: Failure[] = [];
  const warnings: string[] = [];
  let usage = emptyUsage();
  const naming = { llm: deps.llm, concurrency: options.concurrency };
  const name = async (level: Level, index: number) => {
    progress.start(`name level ${index}`, level.length);
    const result = await nameLevel(level, texts, vectors, {
      ...naming,
      onNamed: (d) => progress.tick(d),
    });
    progress.finish();
    failures.push(...result.failures);
    usage = addUsage(usage, result.usage);
  };

  const [baseK = 1, ...upperKs] = options.hierarchy;
  progress.start('cluster level 0', 1);
  const base = await clusterBaseLevel(items, vectors, { k: baseK, seed: options.seed });
  progress.finish();
  if (base.length < baseK) {
    warnings.push(
      `level 0: asked for ${baseK} clusters, made ${base.length} (too few distinct items)`,
    );
  }
  await name(base, 0);
  const levels: Level[] = [base];

  for (const [offset, requested] of upperKs.entries()) {
    const level = offset + 1;
    const below = levels[levels.length - 1] as Level;
    const isTop = level === options.hierarchy.length - 1;
    const byPartition = groupBy(below, (c) => c.partition);
    const partitionNames = [...byPartition.keys()];
    progress.start(`group level ${level}`, partitionNames.length);

    const groups: { partition: string; children: ClusterNode[]; group: Group }[] = [];
    if (options.partitions && isTop) {
      for (const [partition, children] of byPartition) {
        const description = options.partitions[partition] ?? '';
        groups.push({
          partition,
          children,
          group: { name: partition, description, members: children.map((_, i) => i) },
        });
      }
    } else {
      const counts = allocateClusters(
        partitionNames.map((p) => byPartition.get(p)?.length ?? 0),
        requested,
      );
      for (const [p, partition] of partitionNames.entries()) {
        const children = byPartition.get(partition) ?? [];
        const k = Math.min(counts[p] ?? 1, children.length);
        if (deps.llm.generative && k < children.length) {
          const result = await groupWithLlm(children, k, {
            ...naming,
            embedder: deps.embedder,
            seed: options.seed,
          });
          failures.push(...result.failures);
          usage = addUsage(usage, result.usage);
          for (const group of result.groups) groups.push({ partition, children, group });
        } else {
          const grouped = await groupByCentroid(
            children.map((c) => c.centroid),
            children.map((c) => c.itemIndices.length),
            k,
            options.seed + level,
          );
          for (const members of grouped) groups.push({ partition, children, group: { members } });
        }
        progress.tick(p + 1);
      }
    }
    const parents = parentsFrom(groups, level, vectors);
    progress.finish();
    if (parents.length !== requested) {
      warnings.push(
        `level ${level}: asked for ${requested} clusters, made ${parents.length}` +
          (options.partitions && isTop ? ' (the top level is one cluster per partition)' : ''),
      );
    }
    // Parents from the model's grouping or from partitions come named; centroid groups do not.
    if (parents.some((p) => !p.name)) await name(parents, level);
    levels.push(parents);
  }
  return { levels, failures, warnings, usage };
}
