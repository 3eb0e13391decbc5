import type { SummarizedItem } from '../pipeline/types.js';
import type { Store } from '../store/types.js';
import { originalText } from './assemble.js';
import { combinedCsv, levelCsv } from './csv.js';
import type { HierarchyDoc } from './hierarchy-schema.js';

export const OUTPUT_FILES = {
  hierarchy: 'hierarchy.json',
  combined: 'combined.csv',
  level: (level: number) => `level_${level}_clusters.csv`,
} as const;

/** Writes `hierarchy.json`, `combined.csv` and one `level_{x}_clusters.csv` per level. */
export async function writeOutputs(
  doc: HierarchyDoc,
  items: readonly SummarizedItem[],
  store: Store,
): Promise<string[]> {
  const originals = new Map(items.map(({ item }) => [item.id, item]));
  const fullExample = (id: string) => {
    const item = originals.get(id);
    return item ? originalText(item) : '';
  };
  const files: [string, string | Uint8Array][] = [
    [OUTPUT_FILES.hierarchy, JSON.stringify(doc)],
    [OUTPUT_FILES.combined, combinedCsv(doc, fullExample)],
    ...doc.levels.map(
      ({ level }) =>
        [OUTPUT_FILES.level(level), levelCsv(doc, level)] as [string, string | Uint8Array],
    ),
  ];
  for (const [key, body] of files) await store.write(key, body);
  return files.map(([key]) => key);
}
