import type { ClusterRecord, HierarchyDoc, ItemRecord } from '../../lib/output/hierarchy-schema.js';
import { newRunRecord, runInfo } from '../../lib/pipeline/run-record.js';
import { mulberry32, normalGenerator } from '../../lib/util/random.js';

const WORDS = (
  'account billing invoice refund card password login reset export import api webhook crash ' +
  'slow page error mobile app notification email team workspace project task board report ' +
  'plan seat admin sso token sync calendar upload file limit quota timeout outage feature ' +
  'request dark mode search filter share link permission role guest trial cancel renew'
).split(' ');

export interface SyntheticOptions {
  readonly items: number;
  /** Clusters per level, base first. */
  readonly hierarchy: readonly number[];
  readonly seed?: number;
  readonly previewChars?: number;
}

/**
 * A valid `hierarchy.json` document of any size without running the pipeline: skewed cluster
 * sizes, word-salad summaries, 600-character previews and map positions around each base
 * cluster's centre. For the explorer's tests and its benchmark.
 */
export function syntheticHierarchy(options: SyntheticOptions): HierarchyDoc {
  const rng = mulberry32(options.seed ?? 7);
  const normal = normalGenerator(rng);
  const words = (n: number) =>
    Array.from({ length: n }, () => WORDS[Math.floor(rng() * WORDS.length)]).join(' ');
  const [baseCount = 1] = options.hierarchy;

  // Zipf-like weights: a few big clusters and a long tail, as real runs have.
  const weights = Array.from({ length: baseCount }, (_, i) => 1 / Math.sqrt(i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w / total;
    cumulative.push(sum);
  }
  const centres = weights.map(() => [0.1 + 0.8 * rng(), 0.1 + 0.8 * rng()] as const);
  const baseOf = Array.from({ length: options.items }, (_, i) => {
    // Every base cluster gets one item first, so none is empty.
    if (i < baseCount) return i;
    const r = rng();
    const found = cumulative.findIndex((c) => r <= c);
    return found < 0 ? baseCount - 1 : found;
  });

  // Upper levels group consecutive clusters of the level below.
  const parentsOf: number[][] = [];
  let below = baseCount;
  for (const count of options.hierarchy.slice(1)) {
    parentsOf.push(Array.from({ length: below }, (_, i) => Math.floor((i * count) / below)));
    below = count;
  }
  const paths = baseOf.map((base) => {
    const path = [base];
    for (const parents of parentsOf) path.push(parents[path[path.length - 1] as number] as number);
    return path;
  });

  const sizes = options.hierarchy.map((count) => new Array<number>(count).fill(0));
  for (const path of paths) {
    path.forEach((id, level) => {
      const row = sizes[level] as number[];
      row[id] = (row[id] ?? 0) + 1;
    });
  }
  const clusters: ClusterRecord[] = options.hierarchy.flatMap((count, level) =>
    Array.from({ length: count }, (_, id) => ({
      level,
      id,
      name: `${words(3)} ${level}.${id}`,
      description: `Stands out for: ${words(8)}. A typical member: "${words(14)}"`,
      size: sizes[level]?.[id] ?? 0,
      partition: 'Default',
      parent: parentsOf[level]?.[id] ?? null,
      children:
        level === 0
          ? []
          : (parentsOf[level - 1] ?? []).flatMap((parent, child) => (parent === id ? [child] : [])),
    })),
  );
  const previewChars = options.previewChars ?? 600;
  const items: ItemRecord[] = paths.map((path, i) => {
    const [cx, cy] = centres[path[0] as number] ?? [0.5, 0.5];
    const clamp = (v: number) => Math.round(Math.min(1, Math.max(0, v)) * 10_000) / 10_000;
    return {
      id: `item-${String(i).padStart(6, '0')}`,
      summary: `The customer ${words(18)}.`,
      partition: 'Default',
      path,
      preview: words(Math.ceil(previewChars / 6)).slice(0, previewChars),
      xy: [clamp(cx + 0.03 * normal()), clamp(cy + 0.03 * normal())],
    };
  });
  return {
    schemaVersion: 1,
    run: {
      ...runInfo(
        newRunRecord({
          startedAt: new Date(0),
          digest: 'synthetic',
          hierarchy: [...options.hierarchy],
          partitions: null,
          llm: 'none',
          embedder: 'none',
        }),
      ),
      runId: 'synthetic',
      source: `synthetic ${options.items} items`,
      counts: {
        loaded: options.items,
        sampled: options.items,
        summarized: options.items,
        failed: 0,
        clustered: options.items,
        withheld: 0,
      },
    },
    levels: options.hierarchy.map((count, level) => ({ level, count })),
    clusters,
    items,
    map: { method: 'synthetic', anchors: 0, seed: options.seed ?? 7 },
  };
}
