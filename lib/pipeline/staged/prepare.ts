import { posix } from 'node:path';
import { z } from 'zod';
import {
  type ClioConfig,
  configDigest,
  configSourceKind,
  configWarnings,
  parseConfig,
  resolveTimeWindow,
} from '../../config/index.js';
import { loadSource } from '../../sources/index.js';
import { ClioError } from '../../util/errors.js';
import { newRunRecord, recordFailures, writeRunRecord } from '../run-record.js';
import { sampleItems } from '../sample.js';
import type { StagedDeps } from './deps.js';
import { RUN_KEYS, runStore, writeJson } from './layout.js';
import type { PrepareInput, PrepareOutput } from './types.js';

export const prepareInputSchema = z.object({
  configKey: z.string().min(1),
  scheduledTime: z.string().datetime({ offset: true }).optional(),
  windowHours: z.number().positive().optional(),
});

/**
 * Reads an uploaded config as the CLI reads a file: `source.file` is relative to the config's
 * folder, here a key prefix in the configs store. A scheduled run's window length replaces the
 * config's own window keys.
 */
async function readConfig(input: PrepareInput, deps: StagedDeps): Promise<ClioConfig> {
  const text = await deps.configs.read(input.configKey);
  if (text === undefined)
    throw new ClioError(`config ${input.configKey} not found in ${deps.configs.location}`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ClioError(
      `config ${input.configKey} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (input.windowHours !== undefined) {
    const { start_time: _s, end_time: _e, days: _d, ...rest } = raw;
    raw = { ...rest, hours: input.windowHours };
  }
  // Keys are posix paths; an absolute root makes `source.file` resolve to `/<key>`.
  return parseConfig(raw, { file: input.configKey, dir: `/${posix.dirname(input.configKey)}` });
}

/**
 * Prepare: validate the config, load and sample the items, write them in batches, and start the
 * run record. The state machine's Map then fans out over the batch list.
 */
export async function prepareRun(input: PrepareInput, deps: StagedDeps): Promise<PrepareOutput> {
  const config = await readConfig(input, deps);
  if (config.llm.batch) {
    // Said before anything is spent, rather than running at full price without a word.
    throw new ClioError(
      `${input.configKey}: llm.batch (Message Batches) is not supported by the AWS pipeline yet: remove it to run at the standard price, or run open-clio generate locally for batches`,
    );
  }
  const now = input.scheduledTime ? new Date(input.scheduledTime) : (deps.now?.() ?? new Date());
  const digest = configDigest(config);
  const embedder = deps.createEmbedder(config);
  const record = newRunRecord({
    startedAt: deps.now?.() ?? new Date(),
    digest,
    hierarchy: config.hierarchy,
    partitions: config.partitions,
    llm: deps.createLlm(config, embedder).id,
    embedder: embedder.id,
  });
  await embedder.close();
  record.configKey = input.configKey;
  const store = runStore(deps.artifacts, record.runId);
  if (configSourceKind(config) === 'project') {
    const window = resolveTimeWindow(config, now);
    record.window = { start: window.start.toISOString(), end: window.end.toISOString() };
  }
  const readText = async (path: string) => {
    const text = await deps.configs.read(path.replace(/^\//, ''));
    if (text === undefined)
      throw new ClioError(
        `source file ${path.replace(/^\//, '')} not found in ${deps.configs.location}`,
      );
    return text;
  };
  const source = await (deps.loadItems?.(config, now) ?? loadSource(config, { readText, now }));
  record.source = source.description;
  record.counts.loaded = source.items.length;
  recordFailures(
    record,
    source.problems.map((p) => ({ stage: 'source', id: p.location, reason: p.message })),
  );
  const items = sampleItems(source.items, config.sample, config.seed);
  record.counts.sampled = items.length;
  if (items.length === 0) throw new ClioError(`the source has no items (${source.description})`);
  record.warnings.push(...configWarnings(config, items.length));

  const batchSize = deps.batchSize ?? 100;
  const batchKeys: string[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const key = RUN_KEYS.itemBatch(batchKeys.length + 1);
    await writeJson(store, key, items.slice(start, start + batchSize));
    batchKeys.push(key);
  }
  await writeJson(
    store,
    RUN_KEYS.batchList,
    batchKeys.map((batchKey) => ({ runId: record.runId, batchKey })),
  );
  await writeJson(store, RUN_KEYS.config, config);
  record.stage = 'summarize';
  await writeRunRecord(store, record);
  await deps.runIndex?.putRun(record);
  return {
    runId: record.runId,
    itemCount: items.length,
    batchKeysKey: `runs/${record.runId}/${RUN_KEYS.batchList}`,
    batchCount: batchKeys.length,
    levelCount: config.hierarchy.length,
  };
}
