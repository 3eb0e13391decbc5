import type { PrivacyAudit } from '../config/privacy.js';
import type { Embedder } from '../embed/types.js';
import type { Llm } from '../llm/types.js';
import type { Failure, ProgressReporter, SummarizedItem } from '../pipeline/types.js';
import { silentProgress } from '../pipeline/types.js';
import { auditLevel } from '../privacy/audit.js';
import { applyPrivacyFloor, type FloorResult, type PrivacyFloor } from '../privacy/floor.js';
import type { AuditCounts } from '../privacy/report.js';
import { groupBy } from '../util/group-by.js';
import { allocateClusters } from './allocate.js';
import { clusterBaseLevel } from './base-level.js';
import { groupByCentroid } from './group-centroid.js';
import { groupWithLlm } from './group-llm.js';
import { distinguishNames, nameLevel } from './naming.js';
import { levelCap } from './plan.js';
import { type ClusterNode, isShown, type Level } from './types.js';
import { meanVector } from './vectors.js';

export interface HierarchyOptions {
  /** Clusters per level, base first, strictly decreasing. */
  readonly hierarchy: readonly number[];
  readonly partitions: Readonly<Record<string, string>> | null;
  readonly seed: number;
  /** What the base level's k-means runs on (`cluster_vectors`); centroids stay embeddings. */
  readonly clusterVectors?: 'hybrid' | 'embeddings';
  readonly concurrency: number;
  readonly progress?: ProgressReporter;
  /** Thresholds and audit that hold clusters back; absent: everything is shown. */
  readonly privacy?: PrivacyOptions;
}

export interface PrivacyOptions extends PrivacyFloor {
  /** Null: no audit. Only a generative model audits; otherwise the run says it was skipped. */
  readonly audit: PrivacyAudit | null;
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

/** One level built: its clusters and what went wrong or was adjusted on the way. */
export interface LevelResult {
  readonly level: Level;
  readonly failures: Failure[];
  readonly warnings: string[];
  /** The base level's floor; each level's audit, when one ran. */
  readonly privacy?: { readonly floor?: FloorResult; readonly audit?: AuditCounts };
}

interface LevelContext {
  readonly texts: readonly string[];
  readonly vectors: readonly Float32Array[];
  readonly deps: HierarchyDeps;
  readonly options: HierarchyOptions;
}

async function nameWithProgress(level: Level, index: number, context: LevelContext, below?: Level) {
  const progress = context.options.progress ?? silentProgress;
  progress.start(`name level ${index}`, level.filter(isShown).length);
  const result = await nameLevel(
    level,
    context.texts,
    context.vectors,
    {
      llm: context.deps.llm,
      concurrency: context.options.concurrency,
      onNamed: (d) => progress.tick(d),
    },
    below,
  );
  progress.finish();
  return result;
}

/** The base level: k-means within partitions, then every cluster named. */
export async function buildBaseLevel(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  deps: HierarchyDeps,
  options: HierarchyOptions,
): Promise<LevelResult> {
  const progress = options.progress ?? silentProgress;
  const requested = options.hierarchy[0] ?? 1;
  // Planned for the items the run holds; fewer may have been summarized.
  const k = levelCap(requested, items.length);
  progress.start('cluster level 0');
  const warnings: string[] = [];
  const level = await clusterBaseLevel(items, vectors, {
    k,
    seed: options.seed,
    hybrid: options.clusterVectors === 'hybrid',
    warn: (message) => warnings.push(message),
  });
  progress.finish();
  if (level.length < requested) {
    warnings.push(
      `level 0: asked for ${requested} clusters, made ${level.length} (${k < requested ? `only ${items.length} items were summarized` : 'too few distinct items'})`,
    );
  }
  const floor = applyPrivacyFloor(level, items, {
    minClusterSize: options.privacy?.minClusterSize ?? 1,
    minDistinctUsers: options.privacy?.minDistinctUsers ?? 1,
  });
  warnings.push(...floor.warnings);
  const context = { texts: items.map((i) => i.summary), vectors, deps, options };
  const named = await nameWithProgress(level, 0, context);
  const audit = await auditWithProgress(level, 0, context);
  distinguishNames(level);
  return {
    level,
    warnings,
    failures: [...named.failures, ...(audit?.failures ?? [])],
    privacy: { floor, ...(audit ? { audit: audit.counts } : {}) },
  };
}

/** The privacy audit of a named level, when the config asks for one and the model can do it. */
async function auditWithProgress(level: Level, index: number, context: LevelContext) {
  const audit = context.options.privacy?.audit;
  if (!audit || !context.deps.llm.generative) return undefined;
  const progress = context.options.progress ?? silentProgress;
  const shown = level.filter(isShown);
  progress.start(`audit level ${index}`, shown.length);
  const result = await auditLevel(shown, audit, {
    llm: context.deps.llm,
    concurrency: context.options.concurrency,
    onAudited: (d) => progress.tick(d),
  });
  progress.finish();
  return result;
}

/**
 * Level `index` (≥ 1) grouped from the level below, which gets its `parent` links set: by the
 * model's neighbourhood method when it is generative, by centroid similarity otherwise. Groups
 * never cross partitions, and with partitions the top level is the partitions themselves.
 */
export async function buildUpperLevel(
  below: Level,
  index: number,
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  deps: HierarchyDeps,
  options: HierarchyOptions,
): Promise<LevelResult> {
  const progress = options.progress ?? silentProgress;
  const requested = options.hierarchy[index] ?? 1;
  const isTop = index === options.hierarchy.length - 1;
  const failures: Failure[] = [];
  const warnings: string[] = [];
  // Held-back clusters are never grouped: no parent's name or centroid is made from them.
  const shownBelow = below.filter(isShown);
  const byPartition = groupBy(shownBelow, (c) => c.partition);
  const partitionNames = [...byPartition.keys()];
  progress.start(`group level ${index}`);

  const groups: { partition: string; children: ClusterNode[]; group: Group }[] = [];
  if (options.partitions && isTop) {
    for (const [partition, children] of byPartition) {
      const description = options.partitions[partition] ?? '';
      const members = children.map((_, i) => i);
      groups.push({ partition, children, group: { name: partition, description, members } });
    }
  } else {
    // Planned before the run (planHierarchy), by the same rule; the level below can still be
    // smaller than planned (duplicate items, failed summaries), so it is applied again here.
    const target = levelCap(requested, shownBelow.length);
    const counts = allocateClusters(
      partitionNames.map((p) => byPartition.get(p)?.length ?? 0),
      target,
    );
    for (const [p, partition] of partitionNames.entries()) {
      const children = byPartition.get(partition) ?? [];
      const k = Math.min(counts[p] ?? 1, children.length);
      let grouped = false;
      if (deps.llm.generative && k < children.length) {
        const result = await groupWithLlm(children, k, {
          llm: deps.llm,
          concurrency: options.concurrency,
          embedder: deps.embedder,
          seed: options.seed,
        });
        failures.push(...result.failures);
        for (const group of result.groups ?? []) groups.push({ partition, children, group });
        grouped = result.groups !== undefined;
      }
      if (!grouped) {
        const byCentroid = await groupByCentroid(
          children.map((c) => c.centroid),
          children.map((c) => c.itemIndices.length),
          k,
          options.seed + index,
        );
        for (const members of byCentroid) groups.push({ partition, children, group: { members } });
      }
    }
  }
  const level = parentsFrom(groups, index, vectors);
  progress.finish();
  if (level.length !== requested) {
    const why =
      options.partitions && isTop
        ? ' (the top level is one cluster per partition)'
        : shownBelow.length <= requested
          ? ` (the level below has ${shownBelow.length}${shownBelow.length < below.length ? ' shown' : ''}; each level must be smaller than the one below)`
          : '';
    warnings.push(`level ${index}: asked for ${requested} clusters, made ${level.length}${why}`);
  }
  // Parents from the model's grouping or from partitions come named; centroid groups do not.
  if (level.some((p) => !p.name)) {
    const context = { texts: items.map((i) => i.summary), vectors, deps, options };
    const named = await nameWithProgress(level, index, context, below);
    failures.push(...named.failures);
  }
  // The partitions are named by the config, not from the data: nothing there to audit.
  const audit =
    options.partitions && isTop
      ? undefined
      : await auditWithProgress(level, index, {
          texts: [],
          vectors,
          deps,
          options,
        });
  failures.push(...(audit?.failures ?? []));
  distinguishNames(level);
  return { level, failures, warnings, ...(audit ? { privacy: { audit: audit.counts } } : {}) };
}

/** Builds the whole hierarchy in one process: the base level, then each level above it. */
export async function buildHierarchy(
  items: readonly SummarizedItem[],
  vectors: readonly Float32Array[],
  deps: HierarchyDeps,
  options: HierarchyOptions,
): Promise<BuiltHierarchy> {
  const results = [await buildBaseLevel(items, vectors, deps, options)];
  for (let index = 1; index < options.hierarchy.length; index++) {
    const below = results[results.length - 1]?.level as Level;
    results.push(await buildUpperLevel(below, index, items, vectors, deps, options));
  }
  return {
    levels: results.map((r) => r.level),
    failures: results.flatMap((r) => r.failures),
    warnings: results.flatMap((r) => r.warnings),
  };
}
