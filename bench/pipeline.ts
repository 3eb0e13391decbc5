import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { kmeans } from '../lib/cluster/kmeans.js';
import { buildTfidf, denseRows } from '../lib/embed/tfidf.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';
import { labelReport } from '../lib/evaluate/labels.js';
import { itemText } from '../lib/llm/offline-text.js';
import type { HierarchyDoc } from '../lib/output/hierarchy-schema.js';
import { timedGenerate } from './cold-run.js';

const root = resolve(import.meta.dirname, '..');
const debianFile = resolve(root, '../shared/data/debian-dev-sections.jsonl');
const fmt = (x: number) => x.toFixed(3);

/** Plain TF-IDF of the raw item text + k-means at the same k: the naive method to beat. */
async function baseline(texts: string[], labels: string[], k: number, seed: number) {
  const dense = denseRows(buildTfidf(texts).matrix);
  const { assignments } = await kmeans(dense, { k, seed });
  return labelScores(labels, [...assignments]);
}

interface Goals {
  /** Cold end-to-end seconds. */
  readonly coldSeconds?: number;
  /** NMI of the top level against the labels. */
  readonly topNmi?: number;
}

const verdict = (met: boolean) => (met ? 'met' : 'NOT met');

/**
 * One config end to end from a cold cache, then again warm, with the offline providers; the
 * quality of each level against the items' labels next to the baseline.
 */
async function benchConfig(
  title: string,
  config: Record<string, unknown>,
  sourceFile: string,
  goals: Goals = {},
) {
  console.log(`\n== Pipeline: ${title} (offline providers) ==`);
  const runs = await timedGenerate(config, { runs: 2 });
  for (const [i, run] of runs.entries()) {
    const label = i === 0 ? 'cold cache' : 'warm cache';
    console.log(
      `${label.padEnd(10)} total ${run.wallSeconds.toFixed(2)} s, CPU ${run.cpuSeconds.toFixed(1)} s  (${run.stages})`,
    );
  }
  console.log(
    `peak RSS so far ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB (this process)`,
  );
  const cold = runs[0]?.wallSeconds ?? 0;
  if (goals.coldSeconds !== undefined) {
    console.log(
      `cold end to end ${cold.toFixed(1)} s (goal ≤ ${goals.coldSeconds} s: ${verdict(cold <= goals.coldSeconds)})`,
    );
  }

  const doc = runs[0]?.result.doc as HierarchyDoc;
  const rows = (await readFile(sourceFile, 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const byId = new Map(rows.map((row) => [String(row.id), row]));
  const labelled = doc.items.filter((i) => i.label !== undefined);
  const texts = labelled.map((i) => {
    const { id: _id, label: _label, ...rest } = byId.get(i.id) ?? {};
    return itemText([rest.inputs ?? rest]);
  });
  const labels = labelled.map((i) => i.label as string);
  const counts = doc.run.counts;
  const unassigned = counts.summarized - doc.items.length - counts.withheld;
  console.log(
    `items loaded ${counts.loaded}, clustered ${doc.items.length}, unassigned ${unassigned} (goal 0: ${verdict(unassigned === 0)})`,
  );
  console.log(
    'level  clusters   NMI    ARI    purity | TF-IDF + k-means, same k:  NMI    ARI    purity',
  );
  const levels = labelReport(doc) ?? [];
  for (const s of levels) {
    const b = await baseline(texts, labels, s.clusters, 42);
    console.log(
      `${String(s.level).padEnd(6)} ${String(s.clusters).padStart(8)}  ${fmt(s.nmi)}  ${fmt(s.ari)}  ${fmt(s.purity)} |` +
        `                            ${fmt(b.nmi)}  ${fmt(b.ari)}  ${fmt(b.purity)}`,
    );
  }
  const top = levels[levels.length - 1];
  if (goals.topNmi !== undefined && top) {
    console.log(
      `top level NMI ${fmt(top.nmi)} with seed ${String(config.seed ?? 42)} (goal ≥ ${goals.topNmi}: ${verdict(top.nmi >= goals.topNmi)}; the mean over seeds is in \`npm run bench -- quality\`)`,
    );
  }
}

/** The bundled demo, and the labelled Debian descriptions from ../shared when they are present. */
export async function runPipelineBench() {
  const demo = JSON.parse(await readFile(join(root, 'configs/demo.json'), 'utf8'));
  const demoFile = join(root, 'configs', demo.source.file);
  await benchConfig('configs/demo.json', { ...demo, source: { file: demoFile } }, demoFile, {
    coldSeconds: 15,
  });
  if (!existsSync(debianFile)) {
    console.log(`\n(skipped the Debian set: ${debianFile} not found)`);
    return;
  }
  await benchConfig(
    'Debian package descriptions, 12 sections',
    {
      source: { file: debianFile },
      hierarchy: [40, 12],
      summary_prompt: 'Summarize what this software package does: {{example.inputs.text}}',
    },
    debianFile,
    { topNmi: 0.37 },
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runPipelineBench();
