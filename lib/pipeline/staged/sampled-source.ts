import { type ClioConfig, configSourceKind, resolveTimeWindow } from '../../config/index.js';
import { loadSource } from '../../sources/index.js';
import { createLangSmithClient, describeThreadsSource } from '../../sources/langsmith/index.js';
import type { Item, SourceProblem } from '../../sources/types.js';
import type { Store } from '../../store/types.js';
import { ClioError } from '../../util/errors.js';
import { sampleItems } from '../sample.js';
import type { StagedDeps } from './deps.js';
import { RUN_KEYS, writeJson } from './layout.js';
import { langSmithRuns, stageThreads } from './thread-batches.js';

/** A config's source, loaded and sampled, with its sample still to be written out. */
export interface SampledSource {
  readonly description: string;
  /** Items the source holds. */
  readonly loaded: number;
  /** Items in the sample. */
  readonly sampled: number;
  readonly problems: readonly SourceProblem[];
  /** What was wrong with items that were kept (see `LoadedItems.warnings`). */
  readonly warnings: readonly string[];
  /** Writes the sample to the run's store in batches of `deps.batchSize`; their keys in order. */
  writeBatches(): Promise<string[]>;
}

const DEFAULT_BATCH_SIZE = 100;

/**
 * A file source is read from the configs store unless the executor reads it itself: as bytes
 * where the store can, so its encoding is checked rather than repaired unseen.
 */
const readTextOf =
  (deps: StagedDeps) =>
  async (path: string): Promise<string | Uint8Array> => {
    const key = path.replace(/^\//, '');
    const { configs } = deps;
    const text = await (configs.readBytes ? configs.readBytes(key) : configs.read(key));
    if (text === undefined)
      throw new ClioError(`source file ${key} not found in ${deps.configs.location}`);
    return text;
  };

async function writeItemBatches(
  store: Store,
  items: readonly Item[],
  batchSize: number,
): Promise<string[]> {
  const keys: string[] = [];
  for (let start = 0; start < items.length; start += batchSize) {
    const key = RUN_KEYS.itemBatch(keys.length + 1);
    await writeJson(store, key, items.slice(start, start + batchSize));
    keys.push(key);
  }
  return keys;
}

/**
 * The config's items, sampled. A tracing project's window is streamed through the run's
 * `store` (it can be far larger than memory: see `stageThreads`); files and datasets, and
 * items an executor supplies, are held whole. Either way the sample is the same function of
 * the items (`sampledPositions`), so the two paths pick alike.
 */
export async function openSampledSource(
  config: ClioConfig,
  deps: StagedDeps,
  store: Store,
  now: Date,
): Promise<SampledSource> {
  const batchSize = deps.batchSize ?? DEFAULT_BATCH_SIZE;
  const client = deps.langsmith;
  if (!deps.loadItems && configSourceKind(config) === 'project' && config.project_name) {
    const query = {
      projectName: config.project_name,
      window: resolveTimeWindow(config, now),
      filterString: config.filter_string,
      client: client ?? createLangSmithClient(),
    };
    const staged = await stageThreads(langSmithRuns(query, deps.threadStaging), store, {
      ...deps.threadStaging,
      sample: config.sample,
      seed: config.seed,
      batchSize,
    });
    return { description: describeThreadsSource(query), warnings: [], ...staged };
  }
  const source = await (deps.loadItems?.(config, now) ??
    loadSource(config, {
      readText: deps.readSourceFile ?? readTextOf(deps),
      now,
      ...(client ? { client } : {}),
    }));
  const items = sampleItems(source.items, config.sample, config.seed);
  return {
    description: source.description,
    loaded: source.items.length,
    sampled: items.length,
    problems: source.problems,
    warnings: source.warnings ?? [],
    writeBatches: () => writeItemBatches(store, items, batchSize),
  };
}
