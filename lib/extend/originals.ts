import { parse } from 'csv-parse/sync';
import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { OUTPUT_FILES } from '../output/write.js';
import type { SummarizedItem } from '../pipeline/types.js';
import type { Item } from '../sources/types.js';
import type { Store } from '../store/types.js';

/** `guardFormula`'s mark: removed on reading, so writing the cell again does not double it. */
const GUARDED = /^'[=+\-@\t\r]/;

/** `full_example` of every row of the run's `combined.csv`, by item id. */
async function previousExamples(store: Store): Promise<Map<string, string>> {
  const text = await store.read(OUTPUT_FILES.combined);
  if (text === undefined) return new Map();
  const rows = parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  return new Map(
    rows.map((row) => {
      const cell = row.full_example ?? '';
      return [row.example_id ?? '', GUARDED.test(cell) ? cell.slice(1) : cell];
    }),
  );
}

/**
 * The document's items as `writeOutputs` takes them, for the `full_example` column: the source's
 * item where the source still yields it, otherwise (an item of an older time window) the text the
 * previous `combined.csv` showed, so rewriting the outputs loses nothing.
 */
export async function itemsForOutputs(
  doc: HierarchyDoc,
  sourceItems: readonly Item[],
  store: Store,
): Promise<SummarizedItem[]> {
  const byId = new Map(sourceItems.map((item) => [item.id, item]));
  const missing = doc.items.some((item) => !byId.has(item.id));
  const examples = missing ? await previousExamples(store) : new Map<string, string>();
  return doc.items.map((record) => {
    // A string `inputs` with no `outputs` renders as exactly that string in `full_example`.
    const item = byId.get(record.id) ?? {
      id: record.id,
      inputs: examples.get(record.id) ?? record.preview,
      metadata: {},
    };
    return { item, summary: record.summary, partition: record.partition };
  });
}
