import type { Example } from 'langsmith';
import type { Item, LoadedItems } from '../types.js';
import {
  isNotFound,
  type LangSmithClient,
  LangSmithSourceError,
  langSmithError,
} from './client.js';

export interface DatasetSourceOptions {
  readonly datasetName: string;
  readonly client: LangSmithClient;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** An example as it is; its `metadata.label`, when there is one, is the ground-truth label. */
export function exampleToItem(example: Example): Item {
  const metadata = isRecord(example.metadata) ? { ...example.metadata } : {};
  const { id, inputs, outputs } = example;
  return outputs === undefined || outputs === null
    ? { id, inputs, metadata }
    : { id, inputs, outputs, metadata };
}

/** Every example of a LangSmith dataset; the SDK pages through the listing (100 a request). */
export async function loadDatasetSource(options: DatasetSourceOptions): Promise<LoadedItems> {
  const { datasetName, client } = options;
  const quoted = JSON.stringify(datasetName);
  let datasetId: string;
  try {
    datasetId = (await client.readDataset({ datasetName })).id;
  } catch (error) {
    if (isNotFound(error)) {
      throw new LangSmithSourceError(
        `LangSmith dataset ${quoted} not found; check dataset_name (it must match the ` +
          "dataset's name exactly) and that the API key belongs to the dataset's workspace",
      );
    }
    throw langSmithError(client, `reading dataset ${quoted}`, error);
  }
  const items: Item[] = [];
  try {
    for await (const example of client.listExamples({ datasetId }))
      items.push(exampleToItem(example));
  } catch (error) {
    throw langSmithError(client, `listing the examples of dataset ${quoted}`, error);
  }
  return { items, problems: [], description: `LangSmith dataset ${quoted}` };
}
