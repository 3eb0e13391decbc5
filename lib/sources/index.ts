import type { ClioConfig } from '../config/index.js';
import { loadFileSource } from './file/index.js';
import { type LangSmithClient, loadLangSmithSource } from './langsmith/index.js';
import type { LoadedItems } from './types.js';

/** The field or column that holds item ids when `source.id_field` is not set. */
const DEFAULT_ID_FIELD = 'id';

export type { Item, LoadedItems, SourceProblem } from './types.js';
export { itemLabel } from './types.js';

export interface SourceOptions {
  /** Reads a file source from somewhere else than the local disk (the configs bucket on AWS). */
  readonly readText?: (path: string) => Promise<string | Uint8Array>;
  /** The time a tracing window is resolved against. Default: now. */
  readonly now?: Date;
  /** The client of a LangSmith source. Default: one from the environment (and `.env`). */
  readonly client?: LangSmithClient;
}

/** Loads the items the config names. */
export async function loadSource(
  config: ClioConfig,
  options: SourceOptions = {},
): Promise<LoadedItems> {
  if (config.source) {
    const {
      file,
      format,
      id_field,
      label_field,
      inputs_field,
      outputs_field,
      metadata_field,
      max_bad_row_fraction,
    } = config.source;
    return loadFileSource(
      {
        path: file,
        format,
        idField: id_field ?? DEFAULT_ID_FIELD,
        idFieldGiven: id_field !== undefined,
        maxBadRowFraction: max_bad_row_fraction,
        labelField: label_field,
        inputsField: inputs_field,
        outputsField: outputs_field,
        metadataField: metadata_field,
      },
      options.readText,
    );
  }
  return loadLangSmithSource(config, options.now ?? new Date(), options.client);
}
