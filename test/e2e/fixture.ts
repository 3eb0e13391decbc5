import { cp, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runGenerateCommand } from '../../lib/cli/generate-command.js';
import { type HierarchyDoc, hierarchySchema } from '../../lib/output/hierarchy-schema.js';
import { silentProgress } from '../../lib/pipeline/types.js';

const root = resolve(import.meta.dirname, '../..');

/** Markup that would run, or at least leave an element behind, if data were rendered as HTML. */
export const PAYLOADS = {
  img: '<img src=x onerror="window.__xss=1">',
  script: '<script>window.__xss=2</script>',
  svg: '<svg onload="window.__xss=3">',
} as const;

export interface ExplorerRuns {
  /** A folder holding two runs: `demo` and `xss`. */
  readonly dir: string;
  readonly demo: HierarchyDoc;
  readonly xss: HierarchyDoc;
}

/**
 * The partitioned demo generated offline (TF-IDF embedder, so it takes seconds), plus a copy
 * whose every text field carries markup, as an untrusted model or dataset might produce.
 */
export async function makeExplorerRuns(): Promise<ExplorerRuns> {
  const dir = await mkdtemp(join(tmpdir(), 'clio-explorer-'));
  await cp(join(root, 'configs'), join(dir, 'configs'), { recursive: true });
  const base = JSON.parse(await readFile(join(root, 'configs/demo-partitioned.json'), 'utf8'));
  const config = {
    ...base,
    save_path: join(dir, 'runs', 'demo'),
    llm: { provider: 'offline' },
    embedder: { provider: 'tfidf' },
  };
  await writeFile(join(dir, 'configs', 'explorer.json'), JSON.stringify(config));
  const result = await runGenerateCommand({
    config: 'configs/explorer.json',
    cwd: dir,
    progress: silentProgress,
  });
  const demo = hierarchySchema.parse(JSON.parse(JSON.stringify(result.doc)));
  const xss = poisoned(demo);
  await mkdir(join(dir, 'runs', 'xss'), { recursive: true });
  await writeFile(join(dir, 'runs', 'xss', 'hierarchy.json'), JSON.stringify(xss));
  return { dir: join(dir, 'runs'), demo, xss };
}

function poisoned(doc: HierarchyDoc): HierarchyDoc {
  const { img, script, svg } = PAYLOADS;
  const partition = (name: string) => `${name} ${svg}`;
  return {
    ...doc,
    run: {
      ...doc.run,
      source: `${img} source`,
      partitions: Object.fromEntries(
        Object.entries(doc.run.partitions ?? {}).map(([k, v]) => [partition(k), `${script}${v}`]),
      ),
      failures: [{ stage: 'summarize', id: `${img}`, reason: `${script} failed` }],
      warnings: [`${img} warning`],
    },
    clusters: doc.clusters.map((c) => ({
      ...c,
      name: `${img} ${c.name}`,
      description: `${script} ${c.description}`,
      partition: partition(c.partition),
    })),
    items: doc.items.map((item) => ({
      ...item,
      id: `${item.id}${svg}`,
      summary: `${img} ${item.summary}`,
      partition: partition(item.partition),
      label: `${script}`,
      preview: `${script}${img}${item.preview}`,
    })),
  };
}
