/**
 * One unit of work for the pipeline: a dataset example, a tracing thread or a row of a local
 * file, in the shape LangSmith examples have so that one summary prompt fits every source.
 */
export interface Item {
  readonly id: string;
  readonly inputs: unknown;
  readonly outputs?: unknown;
  /** Free-form metadata; a ground-truth label, when the source has one, is `metadata.label`. */
  readonly metadata: Record<string, unknown>;
}

/** A row or record the source could not turn into an item, reported instead of dropped. */
export interface SourceProblem {
  /** Where it was: e.g. `data.jsonl:17`. */
  readonly location: string;
  readonly message: string;
}

export interface LoadedItems {
  readonly items: Item[];
  readonly problems: SourceProblem[];
  /**
   * What was wrong with rows that were kept (invalid UTF-8, missing ids): said on the terminal
   * and in run.json's warnings, since those items are clustered all the same.
   */
  readonly warnings?: readonly string[];
  /** Human description of where the items came from, e.g. `file configs/demo-data/support.jsonl`. */
  readonly description: string;
}

export function itemLabel(item: Item): string | undefined {
  const label = item.metadata.label;
  return label === undefined || label === null ? undefined : String(label);
}
