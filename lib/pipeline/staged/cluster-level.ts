import { z } from 'zod';
import { buildBaseLevel, buildUpperLevel } from '../../cluster/hierarchy.js';
import { type ClioConfig, clusterVectorsOf } from '../../config/index.js';
import type { Embedder } from '../../embed/types.js';
import { BudgetExceededError } from '../../llm/ledger.js';
import { cachedReply, withReplyCache } from '../../llm/reply-cache.js';
import { withLevelPrivacy } from '../../privacy/report.js';
import { StoreRecordCache } from '../../store/store-cache.js';
import type { Store } from '../../store/types.js';
import { ClioError } from '../../util/errors.js';
import { reportWarnings } from '../reporting.js';
import {
  addSpend,
  assertSameProviders,
  type RunRecord,
  readRunRecord,
  recordFailures,
  writeRunRecord,
} from '../run-record.js';
import type { Failure } from '../types.js';
import { collectSummaries, embedMissingVectors } from './collect.js';
import type { StagedDeps } from './deps.js';
import { RUN_KEYS, readLevel, storeOfRun, writeLevel } from './layout.js';
import { readRunConfig } from './summarize-batch.js';
import type { ClusterLevelInput, ClusterLevelOutput } from './types.js';

/**
 * Why a run has nothing to cluster. When the template took no text from any item, that is the
 * config's fault, not the data's or the model's: the message says which fields were missing.
 */
function nothingToClusterReason(failures: readonly Failure[]): string {
  const items = failures.filter((f) => f.stage === 'summarize' || f.stage === 'embed');
  if (items.length > 0 && items.every((f) => f.code === 'empty-item')) {
    return (
      `summary_prompt took no text from any of the ${items.length} items, so there is nothing to cluster ` +
      `(item "${items[0]?.id}": ${items[0]?.reason}): check that the {{…}} fields it names exist ` +
      'in the data (e.g. {{example.inputs.text}} for rows with a "text" field)'
    );
  }
  return `no item could be summarized; first failure: ${failures[0]?.reason ?? 'unknown'}`;
}

export const clusterLevelInputSchema = z.object({
  runId: z.string().min(1),
  level: z.number().int().nonnegative(),
});

/**
 * One level of the hierarchy. Level 0 also folds the Map's results (failures, usage) into the
 * run record; a higher level reads the level below, groups it, and rewrites it with its parents.
 */
export async function clusterLevel(
  input: ClusterLevelInput,
  deps: StagedDeps,
): Promise<ClusterLevelOutput> {
  const store = storeOfRun(deps, input.runId);
  const config = await readRunConfig(store);
  const record = await readRunRecord(store);
  if (!record) throw new ClioError(`run ${input.runId} has no run record`);
  const embedder = deps.createEmbedder(config);
  try {
    return await clusterWith(embedder, input, deps, { store, config, record });
  } finally {
    await embedder.close();
  }
}

async function clusterWith(
  embedder: Embedder,
  input: ClusterLevelInput,
  deps: StagedDeps,
  { store, config, record }: { store: Store; config: ClioConfig; record: RunRecord },
): Promise<ClusterLevelOutput> {
  record.stage = `cluster level ${input.level}`;
  if (input.level === 0) {
    const t0 = performance.now();
    if ((await embedMissingVectors(store, embedder, deps.progress)) > 0) {
      record.timingsMs.embed = Math.round(performance.now() - t0);
    }
  }
  const run = await collectSummaries(store, record.counts.sampled);
  if (input.level === 0 && !record.summariesFolded) {
    // The Map's results, folded once: failures, warnings and what the batches were billed.
    record.counts.summarized = run.items.length;
    record.counts.clustered = run.items.length;
    recordFailures(record, run.failures);
    record.warnings.push(...run.warnings);
    reportWarnings(deps.progress, run.warnings, { kind: 'warnings from the summaries' });
    addSpend(record, run.spend);
    record.summariesFolded = true;
  }
  if (input.level === 0 && run.stopped) {
    await writeRunRecord(store, record);
    throw new BudgetExceededError(run.stopped);
  }
  if (run.items.length === 0) {
    // The failures and skipped items folded above stay on the record the run ends with.
    await writeRunRecord(store, record);
    throw new ClioError(nothingToClusterReason(run.failures));
  }
  const provider = deps.createLlm(config, embedder, { runId: input.runId });
  assertSameProviders(record, { llm: provider.id, embedder: embedder.id });
  // Names and groupings already paid for (by an attempt that then failed) are not asked again.
  const replies = provider.generative
    ? await StoreRecordCache.open(store, RUN_KEYS.levelReplies(input.level), cachedReply, 10)
    : undefined;
  const hierarchyDeps = { embedder, llm: replies ? withReplyCache(provider, replies) : provider };
  const options = {
    hierarchy: config.hierarchy,
    partitions: config.partitions,
    seed: config.seed,
    clusterVectors: clusterVectorsOf(config),
    concurrency: config.max_concurrency,
    privacy: {
      minClusterSize: config.min_cluster_size,
      minDistinctUsers: config.min_distinct_users,
      audit: config.privacy_audit,
    },
    ...(deps.progress ? { progress: deps.progress } : {}),
  };
  const t0 = performance.now();
  const below = input.level > 0 ? await readLevel(store, input.level - 1) : undefined;
  const result = await (below
    ? buildUpperLevel(below, input.level, run.items, run.vectors, hierarchyDeps, options)
    : buildBaseLevel(run.items, run.vectors, hierarchyDeps, options)
  )
    .catch(async (error: unknown) => {
      // The bill so far goes on the record before the run stops or fails.
      addSpend(record, hierarchyDeps.llm.ledger.summary());
      await writeRunRecord(store, record);
      throw error;
    })
    .finally(() => replies?.close());
  // Grouping set the `parent` of every cluster below; keep that for Finalize.
  if (below) await writeLevel(store, input.level - 1, below);
  await writeLevel(store, input.level, result.level);
  recordFailures(record, result.failures);
  record.privacy = withLevelPrivacy(
    record.privacy,
    { ...options.privacy, audits: provider.generative },
    input.level,
    result.privacy,
  );
  if (input.level === 0 && config.privacy_audit && !provider.generative) {
    result.warnings.push(
      'privacy_audit skipped: the offline provider cannot rate cluster names; set an API key to audit them',
    );
  }
  record.warnings.push(...result.warnings);
  reportWarnings(deps.progress, result.warnings, { kind: `warnings about level ${input.level}` });
  addSpend(record, hierarchyDeps.llm.ledger.summary());
  record.timingsMs[`cluster level ${input.level}`] = Math.round(performance.now() - t0);
  await writeRunRecord(store, record);
  return {
    runId: input.runId,
    level: input.level,
    clusters: result.level.length,
    done: input.level === config.hierarchy.length - 1,
  };
}
