import type { ClioConfig } from '../config/index.js';
import { ClioError } from '../util/errors.js';
import { loadFileSource } from './file/index.js';
import type { LoadedItems } from './types.js';

export type { Item, LoadedItems, SourceProblem } from './types.js';
export { itemLabel } from './types.js';

/** Loads the items the config names. LangSmith sources are not built yet and say so plainly. */
export async function loadSource(config: ClioConfig): Promise<LoadedItems> {
  if (config.source) {
    const { file, format, id_field, label_field, inputs_field, outputs_field, metadata_field } =
      config.source;
    return loadFileSource({
      path: file,
      format,
      idField: id_field,
      labelField: label_field,
      inputsField: inputs_field,
      outputsField: outputs_field,
      metadataField: metadata_field,
    });
  }
  const what = config.dataset_name
    ? `dataset_name "${config.dataset_name}"`
    : `project_name "${config.project_name}"`;
  throw new ClioError(
    `${what}: LangSmith sources are not available in this version yet; export the data to a ` +
      'JSONL or CSV file and use "source": {"file": "..."} instead',
  );
}
