import type { HierarchyDoc } from './hierarchy-schema.js';

/**
 * Privacy threshold: base clusters with fewer than `minSize` items are withheld from every
 * output, with their items, so a rare (and so possibly identifying) conversation is never shown.
 * Sizes up the tree are recomputed; a parent left with nothing is withheld too. Returns a new
 * document whose `run.counts.withheld` says how many items were held back.
 */
export function withholdSmallClusters(doc: HierarchyDoc, minSize: number): HierarchyDoc {
  if (minSize <= 1) return doc;
  const small = new Set(
    doc.clusters.filter((c) => c.level === 0 && c.size < minSize).map((c) => c.id),
  );
  if (small.size === 0) return doc;
  const items = doc.items.filter((item) => !small.has(item.path[0] as number));
  const sizes = new Map<string, number>();
  for (const item of items) {
    item.path.forEach((id, level) => {
      const key = `${level}:${id}`;
      sizes.set(key, (sizes.get(key) ?? 0) + 1);
    });
  }
  const kept = new Set(sizes.keys());
  const clusters = doc.clusters
    .filter((c) => kept.has(`${c.level}:${c.id}`))
    .map((c) => ({
      ...c,
      size: sizes.get(`${c.level}:${c.id}`) as number,
      children: c.children.filter((child) => kept.has(`${c.level - 1}:${child}`)),
    }));
  const withheld = doc.items.length - items.length;
  return {
    ...doc,
    run: {
      ...doc.run,
      counts: { ...doc.run.counts, withheld: doc.run.counts.withheld + withheld },
    },
    levels: doc.levels.map(({ level }) => ({
      level,
      count: clusters.filter((c) => c.level === level).length,
    })),
    clusters,
    items,
  };
}
