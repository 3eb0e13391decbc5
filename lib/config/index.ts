export { ConfigError, ConfigFileError } from './errors.js';
export { describeValue, formatPath } from './format.js';
export {
  configDigest,
  type LoadedConfig,
  type LoadOptions,
  loadConfig,
} from './load.js';
export { type ParseOptions, parseConfig } from './parse.js';
export { formatFromExtension } from './rules.js';
export {
  type ClioConfig,
  clusterVectorsOf,
  configSchema,
  configSourceKind,
  DEFAULT_SAVE_PATH,
  EMBEDDER_PROVIDERS,
  type EmbedderConfig,
  type EmbedderProvider,
  embedderIsContextual,
  type FileSourceConfig,
  LLM_PROVIDERS,
  type LlmConfig,
  type LlmProvider,
  SOURCE_FORMATS,
  type SourceFormat,
  type SourceKind,
} from './schema.js';
export { closestMatch, editDistance } from './suggest.js';
export { configWarnings, staticConfigWarnings } from './warnings.js';
export {
  describeTimeWindow,
  isInTimeWindow,
  resolveTimeWindow,
  type TimeWindow,
} from './window.js';
