/**
 * A 100,000-item run end to end with the offline providers and the default embedder (USE-lite),
 * from a cold cache: `npm run bench -- offline-100k`. Goal: at most 15 minutes on 2 cores.
 *
 * The items are demo-like support conversations: the bundled demo generator run with further
 * seeds (~1,500 conversations each) until there are enough. `OFFLINE_ITEMS=5000` runs a smaller
 * set. Prints wall time, CPU time (all threads of this process), peak RSS and each stage's time.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeConversations, type Row } from '../scripts/make-demo-data.js';
import { timedGenerate } from './cold-run.js';

const root = resolve(import.meta.dirname, '..');
const GOAL_MINUTES = 15;

/** `count` demo-like conversations with unique ids, from consecutive generator seeds. */
export function demoLikeRows(count: number): Row[] {
  const rows: Row[] = [];
  for (let seed = 1; rows.length < count; seed++) {
    rows.push(...makeConversations(seed, `s${seed}-`).slice(0, count - rows.length));
  }
  return rows;
}

export async function runOffline100kBench(count = Number(process.env.OFFLINE_ITEMS ?? 100_000)) {
  const work = await mkdtemp(join(tmpdir(), 'clio-offline-100k-'));
  try {
    const rows = demoLikeRows(count);
    const source = join(work, 'items.jsonl');
    await writeFile(source, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const demo = JSON.parse(await readFile(join(root, 'configs/demo.json'), 'utf8'));
    const config = { ...demo, source: { file: source } };
    console.log(
      `\n== Offline run end to end: ${rows.length} demo-like items, hierarchy ${JSON.stringify(config.hierarchy)}, cold cache ==`,
    );
    const [run] = await timedGenerate(config);
    if (!run) throw new Error('no run');
    const wall = run.wallSeconds;
    const cpu = run.cpuSeconds;
    const distinct = new Set(run.result.doc.items.map((i) => i.summary)).size;
    console.log(`items clustered ${run.result.doc.items.length}, distinct summaries ${distinct}`);
    console.log(`stages: ${run.stages}`);
    console.log(
      `wall ${(wall / 60).toFixed(1)} min (goal ≤ ${GOAL_MINUTES} min: ${wall / 60 <= GOAL_MINUTES ? 'met' : 'NOT met'})  ` +
        `CPU ${(cpu / 60).toFixed(1)} min (all threads; ÷ 2 cores = ${(cpu / 120).toFixed(1)} min if nothing else ran)  ` +
        `peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`,
    );
    return { items: rows.length, wallSeconds: wall, cpuSeconds: cpu };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runOffline100kBench();
}
