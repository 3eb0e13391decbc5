import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runGenerateCommand } from '../lib/cli/generate-command.js';
import { kmeans } from '../lib/cluster/kmeans.js';
import { buildTfidf, denseRows } from '../lib/embed/tfidf.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';
import { itemText } from '../lib/llm/offline-text.js';
import type { HierarchyDoc } from '../lib/output/hierarchy-schema.js';
import { silentProgress } from '../lib/pipeline/types.js';

const root = resolve(import.meta.dirname, '..');
const fmt = (x: number) => x.toFixed(3);

function peakRssMiB(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** Scores of every level of a run against the items' labels. */
export function levelScores(doc: HierarchyDoc) {
  const labelled = doc.items.filter((i) => i.label !== undefined);
  return doc.levels.map(({ level, count }) => ({
    level,
    count,
    ...labelScores(
      labelled.map((i) => i.label as string),
      labelled.map((i) => i.path[level] as number),
    ),
  }));
}

/** Plain TF-IDF of the raw item text + k-means at the same k: the naive method to beat. */
async function baseline(texts: string[], labels: string[], k: number, seed: number) {
  const dense = denseRows(buildTfidf(texts, { bigrams: false }).matrix);
  const { assignments } = await kmeans(dense, { k, seed });
  return labelScores(labels, [...assignments]);
}

/** The demo end to end from a cold cache, then again warm; quality of each level vs the labels. */
export async function runPipelineBench(configName = 'demo.json') {
  const work = await mkdtemp(join(tmpdir(), 'clio-bench-'));
  await cp(join(root, 'configs'), join(work, 'configs'), { recursive: true });
  const configPath = join(work, 'configs', configName);
  const config = JSON.parse(await readFile(configPath, 'utf8'));
  await writeFile(configPath, JSON.stringify({ ...config, save_path: join(work, 'results') }));

  console.log(`\n== Pipeline: ${configName} (offline providers) ==`);
  const runs: { label: string; ms: number; doc: HierarchyDoc; timings: Record<string, number> }[] =
    [];
  for (const label of ['cold cache', 'warm cache']) {
    const t0 = performance.now();
    const result = await runGenerateCommand({
      config: configPath,
      cwd: work,
      progress: silentProgress,
    });
    runs.push({
      label,
      ms: performance.now() - t0,
      doc: result.doc,
      timings: result.record.timingsMs,
    });
  }
  for (const run of runs) {
    const stages = Object.entries(run.timings)
      .map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)}s`)
      .join(', ');
    console.log(`${run.label.padEnd(10)} total ${(run.ms / 1000).toFixed(2)} s  (${stages})`);
  }
  console.log(`peak RSS ${peakRssMiB()} MiB (this process, incl. both runs)`);

  const doc = runs[0]?.doc as HierarchyDoc;
  const source = (await readFile(join(work, 'configs', config.source.file), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
  const byId = new Map(source.map((row) => [String(row.id), row]));
  const labelled = doc.items.filter((i) => i.label !== undefined);
  const texts = labelled.map((i) => itemText([byId.get(i.id)?.inputs]));
  const labels = labelled.map((i) => i.label as string);
  console.log(
    'level  clusters   NMI    ARI    purity | baseline TF-IDF+k-means at same k: NMI  ARI  purity',
  );
  for (const s of levelScores(doc)) {
    const b = await baseline(texts, labels, s.count, 42);
    console.log(
      `${String(s.level).padEnd(6)} ${String(s.count).padStart(8)}  ${fmt(s.nmi)}  ${fmt(s.ari)}  ${fmt(s.purity)} |` +
        `                                    ${fmt(b.nmi)}  ${fmt(b.ari)}  ${fmt(b.purity)}`,
    );
  }
  await rm(work, { recursive: true, force: true });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runPipelineBench();
