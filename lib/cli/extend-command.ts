import { type ExtendOptions, type ExtendResult, extendRun } from '../extend/extend.js';
import type { Placement } from '../extend/place.js';
import type { CommandOptions } from './generate-command.js';
import { openLocalRun } from './local-run.js';

/** Above this share of new items kept out, the report advises rebuilding the hierarchy. */
const REGENERATE_SHARE = 0.1;
const LISTED = 10;

/** `open-clio extend`: new items into the run in the config's `save_path`. */
export async function runExtendCommand(
  options: CommandOptions & ExtendOptions,
): Promise<ExtendResult & { location: string }> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    const { llm, embedder, store, summaryCache } = run;
    options.progress.info(`LLM: ${llm.id}   embedder: ${embedder.id}   run: ${store.location}`);
    const result = await extendRun(
      run.loaded,
      { llm, embedder, store, summaryCache, progress: options.progress },
      {
        ...(options.fence === undefined ? {} : { fence: options.fence }),
        ...(options.candidates === undefined ? {} : { candidates: options.candidates }),
      },
    );
    return { ...result, location: store.location };
  } finally {
    await run.close();
  }
}

const clip = (text: string, width: number) =>
  text.length > width ? `${text.slice(0, width - 1)}…` : text;

/** What an extension did, for a person: counts, the items kept out, and whether to regenerate. */
export function formatExtension(result: ExtendResult & { location: string }): string {
  const { extension, placements, doc } = result;
  if (!extension) {
    return `Nothing to extend: every item the source yields is in the run in ${result.location} already (${doc.items.length} items).`;
  }
  const { counts } = extension;
  const names = new Map(doc.clusters.filter((c) => c.level === 0).map((c) => [c.id, c.name]));
  const lines = [
    `Extended the run in ${result.location}: ${counts.placed} of ${counts.candidates} new items placed, ${doc.items.length} items now.`,
    `  placed     ${String(counts.placed).padStart(6)}`,
    `  poor fit   ${String(counts.poorFit).padStart(6)}  kept out: less similar to the nearest cluster than its own outlying members`,
    ...(extension.confirmedByModel
      ? [
          `  rejected   ${String(counts.rejected).padStart(6)}  kept out: the model found none of the nearest clusters fits`,
        ]
      : []),
    `  failed     ${String(counts.failed).padStart(6)}  kept out: see the reasons in ${extension.report}`,
  ];
  const out = placements.filter((p) => p.status === 'poor-fit' || p.status === 'rejected');
  if (out.length > 0) {
    lines.push('', `Items that fit no cluster well (all in ${extension.report}):`);
    for (const p of out.slice(0, LISTED)) lines.push(`  ${describeMisfit(p, names)}`);
    if (out.length > LISTED) lines.push(`  … and ${out.length - LISTED} more`);
  }
  const keptOut = (counts.poorFit + counts.rejected) / Math.max(1, counts.candidates);
  if (keptOut > REGENERATE_SHARE) {
    lines.push(
      '',
      `${Math.round(keptOut * 100)}% of the new items fit no existing cluster: the data has moved on; run "open-clio generate" to rebuild the hierarchy.`,
    );
  }
  for (const p of placements.filter((x) => x.status === 'failed').slice(0, 3)) {
    lines.push(`  failed ${p.id}: ${p.reason}`);
  }
  lines.push('', `Files: ${result.files.join(', ')}`);
  return lines.join('\n');
}

function describeMisfit(p: Placement, names: ReadonlyMap<number, string>): string {
  const near = p.nearest === null ? '' : ` nearest "${clip(names.get(p.nearest) ?? '', 40)}"`;
  const fit =
    p.similarity === null
      ? ''
      : ` (similarity ${p.similarity.toFixed(2)}${p.threshold === null ? '' : `, threshold ${p.threshold.toFixed(2)}`})`;
  const what = p.status === 'rejected' ? ' rejected by the model' : '';
  return `${p.id}${what}${near}${fit}: ${clip(p.summary ?? '', 70)}`;
}
