import { posix } from 'node:path';
import { z } from 'zod';
import { planHierarchy } from '../../cluster/plan.js';
import {
  type ClioConfig,
  configDigest,
  configSourceKind,
  configWarnings,
  parseConfig,
  resolveTimeWindow,
  type TimeWindow,
} from '../../config/index.js';
import { scheduledWindow } from '../../config/schedule-window.js';
import { skippedQuestionFacets } from '../../facets/questions.js';
import { ClioError } from '../../util/errors.js';
import { reportWarnings } from '../reporting.js';
import { endStatus, newRunRecord, recordFailures, writeRunRecord } from '../run-record.js';
import type { StagedDeps } from './deps.js';
import { RUN_KEYS, storeOfRun, writeJson } from './layout.js';
import { openSampledSource } from './sampled-source.js';
import type { PrepareInput, PrepareOutput } from './types.js';

export const prepareInputSchema = z.object({
  configKey: z.string().min(1),
  /** The S3 version the upload trigger claimed; read exactly that one, not the latest. */
  configVersion: z
    .string()
    .nullish()
    // An unversioned bucket's event has no version: EventBridge fills in null.
    .transform((v) => v || undefined),
  scheduledTime: z.iso.datetime({ offset: true }).optional(),
  schedule: z
    .object({
      expression: z.string().min(1),
      timeZone: z.string().min(1).optional(),
      windowHours: z.number().positive().optional(),
    })
    .optional(),
  /** Schedules deployed before `schedule` existed sent only the window length. */
  windowHours: z.number().positive().optional(),
});

/** The explicit window of a scheduled start: [previous tick, scheduled time). */
function windowOfStart(input: PrepareInput): TimeWindow | undefined {
  if (!input.scheduledTime) return undefined;
  const scheduledTime = new Date(input.scheduledTime);
  const { schedule } = input;
  if (schedule) {
    try {
      return scheduledWindow(schedule, scheduledTime);
    } catch (error) {
      throw new ClioError(`schedule ${schedule.expression}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (input.windowHours === undefined) return undefined;
  return {
    start: new Date(scheduledTime.getTime() - input.windowHours * 3_600_000),
    end: scheduledTime,
  };
}

/**
 * Reads an uploaded config as the CLI reads a file: `source.file` is relative to the config's
 * folder, here a key prefix in the configs store. A scheduled run's window replaces the
 * config's own window keys.
 */
async function readConfig(input: PrepareInput, deps: StagedDeps): Promise<ClioConfig> {
  const version = input.configVersion;
  const text = await deps.configs.read(input.configKey, version ? { version } : undefined);
  if (text === undefined)
    throw new ClioError(
      `config ${input.configKey}${version ? ` (version ${version})` : ''} not found in ${deps.configs.location}`,
    );
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new ClioError(
      `config ${input.configKey} is not valid JSON: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const window = windowOfStart(input);
  // Only a tracing project has a window; a scheduled dataset or file simply runs again.
  if (window && raw.project_name !== undefined && raw.project_name !== null) {
    const { start_time: _s, end_time: _e, hours: _h, days: _d, ...rest } = raw;
    raw = { ...rest, start_time: window.start.toISOString(), end_time: window.end.toISOString() };
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
  return prepareConfiguredRun(config, deps, {
    configKey: input.configKey,
    now: input.scheduledTime ? new Date(input.scheduledTime) : undefined,
  });
}

/**
 * Prepare for a config already read and validated (the in-process executor loads it from a
 * file). The run record is written first, so a source that cannot be read leaves a failed run
 * that says so; the run's provider and embedder ids are fixed here.
 */
export async function prepareConfiguredRun(
  config: ClioConfig,
  deps: StagedDeps,
  options: { configKey?: string; digest?: string; now?: Date | undefined } = {},
): Promise<PrepareOutput> {
  const where = options.configKey ? `${options.configKey}: ` : '';
  if (config.llm.batch && !deps.createSummaryBatches) {
    // Said before anything is spent, rather than running at full price without a word.
    throw new ClioError(
      `${where}llm.batch (Message Batches) is not supported by the AWS pipeline yet: remove it to run at the standard price, or run open-clio generate locally for batches`,
    );
  }
  const started = deps.now?.() ?? new Date();
  const now = options.now ?? started;
  const embedder = deps.createEmbedder(config);
  const llm = deps.createLlm(config, embedder);
  // A config asking for batches the provider cannot make (Bedrock) fails here, not mid-run.
  if (config.llm.batch) deps.createSummaryBatches?.(config, llm);
  const record = newRunRecord({
    startedAt: started,
    digest: options.digest ?? configDigest(config),
    hierarchy: config.hierarchy,
    partitions: config.partitions,
    llm: llm.id,
    embedder: embedder.id,
  });
  await embedder.close();
  if (options.configKey) record.configKey = options.configKey;
  const store = storeOfRun(deps, record.runId);
  await writeRunRecord(store, record);
  await deps.runCreated?.(record.runId);
  // Listed as running from the start, so a run that never ends is visible, not missing.
  await deps.runIndex?.putRun(record);
  try {
    if (configSourceKind(config) === 'project') {
      const window = resolveTimeWindow(config, now);
      record.window = { start: window.start.toISOString(), end: window.end.toISOString() };
    }
    const source = await openSampledSource(config, deps, store, now);
    record.source = source.description;
    record.counts.loaded = source.loaded;
    recordFailures(
      record,
      source.problems.map((p) => ({ stage: 'source', id: p.location, reason: p.message })),
    );
    reportWarnings(
      deps.progress,
      source.problems.map((p) => `${p.location}: ${p.message}`),
      { kind: 'problems with the source' },
    );
    record.counts.sampled = source.sampled;
    if (source.sampled === 0)
      throw new ClioError(`the source has no items (${source.description})`);
    const skipped = skippedQuestionFacets(config.facets, llm);
    const warnings = [
      ...source.warnings,
      ...configWarnings(config, source),
      ...(skipped ? [skipped] : []),
    ];
    record.warnings.push(...warnings);
    reportWarnings(deps.progress, warnings, { kind: 'warnings about the config' });
    deps.progress?.info(`${source.sampled} items from ${source.description}`);

    const batchKeys = await source.writeBatches();
    await writeJson(
      store,
      RUN_KEYS.batchList,
      batchKeys.map((batchKey) => ({ runId: record.runId, batchKey })),
    );
    // The steps after this one make the levels planned for the items the run holds (the
    // record keeps the asked hierarchy, and the warning above says what changed).
    const { levels } = planHierarchy(config.hierarchy, source.sampled);
    await writeJson(store, RUN_KEYS.config, { ...config, hierarchy: levels });
    record.stage = 'summarize';
    record.timingsMs.load = Math.round((deps.now?.() ?? new Date()).getTime() - started.getTime());
    await writeRunRecord(store, record);
    await deps.runIndex?.putRun(record);
    return {
      runId: record.runId,
      itemCount: source.sampled,
      batchKeysKey: `runs/${record.runId}/${RUN_KEYS.batchList}`,
      batchCount: batchKeys.length,
      levelCount: levels.length,
    };
  } catch (error) {
    // No run id reaches the state machine's Catch from here: the record says why itself.
    record.status = endStatus(error);
    record.error = `${where}${error instanceof Error ? error.message : String(error)}`;
    record.finishedAt = (deps.now?.() ?? new Date()).toISOString();
    await writeRunRecord(store, record);
    await deps.runIndex?.putRun(record);
    throw error;
  }
}
