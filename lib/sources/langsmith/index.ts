import type { ClioConfig } from '../../config/index.js';
import { resolveTimeWindow } from '../../config/window.js';
import type { LoadedItems } from '../types.js';
import { createLangSmithClient, type LangSmithClient, LangSmithSourceError } from './client.js';
import { loadDatasetSource } from './dataset.js';
import { loadThreadsSource } from './threads.js';

export {
  createLangSmithClient,
  DEFAULT_LANGSMITH_ENDPOINT,
  type LangSmithClient,
  LangSmithSourceError,
  readLangSmithSettings,
} from './client.js';
export { type DatasetSourceOptions, exampleToItem, loadDatasetSource } from './dataset.js';
export {
  forEachRootRun,
  type PagingOptions,
  queryRootRuns,
  type RootRun,
  type RootRunQuery,
  THREAD_KEYS,
  threadIdOf,
} from './runs.js';
export { splitWindow } from './sub-windows.js';
export {
  compareRuns,
  compareStarts,
  describeThreadsSource,
  groupKeyedItems,
  groupRootRuns,
  itemKeyOf,
  type KeyedItem,
  loadThreadsSource,
  MAX_TURNS,
  type ThreadsSourceOptions,
  type Turn,
} from './threads.js';

export type LangSmithSourceConfig = Pick<
  ClioConfig,
  'dataset_name' | 'project_name' | 'filter_string' | 'start_time' | 'end_time' | 'hours' | 'days'
>;

/**
 * The items of the config's LangSmith source: a dataset's examples, or a tracing project's
 * threads in the config's window ending at `now`. Without a `client`, one is made from the
 * environment (and `.env`), which fails clearly when no API key is set.
 */
export async function loadLangSmithSource(
  config: LangSmithSourceConfig,
  now: Date,
  client?: LangSmithClient,
): Promise<LoadedItems> {
  if (config.dataset_name !== undefined) {
    return loadDatasetSource({
      datasetName: config.dataset_name,
      client: client ?? createLangSmithClient(),
    });
  }
  if (config.project_name !== undefined) {
    return loadThreadsSource({
      projectName: config.project_name,
      window: resolveTimeWindow(config, now),
      filterString: config.filter_string,
      client: client ?? createLangSmithClient(),
    });
  }
  throw new LangSmithSourceError('the config names no LangSmith dataset_name or project_name');
}
