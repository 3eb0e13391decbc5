import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import { oneLine } from '../util/terminal-text.js';

/** The short report printed after a run: where the files are and the top-level clusters. */
export function formatOverview(
  doc: HierarchyDoc,
  location: string,
  files: readonly string[],
): string {
  const top = doc.levels.length - 1;
  const total = doc.items.length;
  // Names, ids and reasons come from data and models: one line each, control characters escaped.
  const clusters = doc.clusters
    .filter((c) => c.level === top)
    .sort((a, b) => b.size - a.size)
    .map((c) => ({ size: c.size, name: oneLine(c.name) }));
  const width = Math.min(60, Math.max(...clusters.map((c) => c.name.length), 10));
  const lines = [
    `Clustered ${total} items into ${doc.levels.map((l) => l.count).join(' → ')} clusters (base → top).`,
    `Results in ${oneLine(location)}: ${files.join(', ')}`,
    '',
    'Top-level clusters:',
    ...clusters.map((c) => {
      const share = c.size / total;
      const bar = '█'.repeat(Math.max(1, Math.round(share * 30)));
      const name = c.name.length > width ? `${c.name.slice(0, width - 1)}…` : c.name;
      return `  ${name.padEnd(width)} ${String(c.size).padStart(6)}  ${(share * 100).toFixed(1).padStart(5)}%  ${bar}`;
    }),
  ];
  const { failures, warnings } = doc.run;
  if (failures.length > 0) {
    lines.push('', `${failures.length} failures (listed in run.json):`);
    for (const f of failures.slice(0, 5))
      lines.push(`  ${f.stage} ${oneLine(f.id)}: ${oneLine(f.reason)}`);
    if (failures.length > 5) lines.push(`  … and ${failures.length - 5} more`);
  }
  if (warnings.length > 0) lines.push('', `${warnings.length} warnings (listed in run.json).`);
  return lines.join('\n');
}
