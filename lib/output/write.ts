import type { SummarizedItem } from '../pipeline/types.js';
import type { StoreEntry } from '../store/types.js';
import { originalText } from './assemble.js';
import { combinedCsv, levelCsv } from './csv.js';
import type { HierarchyDoc } from './hierarchy-schema.js';

export const OUTPUT_FILES = {
  hierarchy: 'hierarchy.json',
  combined: 'combined.csv',
  level: (level: number) => `level_${level}_clusters.csv`,
} as const;

/**
 * `hierarchy.json`, `combined.csv` and one `level_{x}_clusters.csv` per level, to write together
 * with the rest of the run's files (`writeTogether`).
 */
export function outputFiles(doc: HierarchyDoc, items: readonly SummarizedItem[]): StoreEntry[] {
  const originals = new Map(items.map(({ item }) => [item.id, item]));
  const fullExample = (id: string) => {
    const item = originals.get(id);
    return item ? originalText(item) : '';
  };
  return [
    [OUTPUT_FILES.hierarchy, JSON.stringify(doc)],
    [OUTPUT_FILES.combined, combinedCsv(doc, fullExample)],
    ...doc.levels.map(({ level }): StoreEntry => [OUTPUT_FILES.level(level), levelCsv(doc, level)]),
  ];
}
