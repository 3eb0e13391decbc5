import { estimateRun, type StageEstimate } from '../pipeline/estimate.js';
import { type GenerateResult, generate } from '../pipeline/generate.js';
import { sampleItems } from '../pipeline/sample.js';
import type { ProgressReporter } from '../pipeline/types.js';
import { loadSource } from '../sources/index.js';
import { catchInterrupts } from './interrupt.js';
import { openLocalRun } from './local-run.js';

export interface CommandOptions {
  readonly config: string;
  readonly cwd: string;
  readonly progress: ProgressReporter;
}

/**
 * `open-clio generate`: the pipeline on the local runner; printing is the caller's. Ctrl-C or
 * SIGTERM ends it with `RunInterruptedError` once the caches are closed (every result already
 * handed to them is on disk) and `run.json` says where it stopped.
 */
export async function runGenerateCommand(
  options: CommandOptions,
): Promise<GenerateResult & { location: string }> {
  const run = await openLocalRun(options.config, options.cwd);
  const interrupts = catchInterrupts((line) => process.stderr.write(`${line}\n`));
  try {
    const { llm, embedder, store, summaryCache, summaryBatches } = run;
    options.progress.info(`LLM: ${llm.id}   embedder: ${embedder.id}   results: ${store.location}`);
    const result = await generate(run.loaded, {
      llm,
      embedder,
      store,
      summaryCache,
      summaryBatches,
      progress: options.progress,
      signal: interrupts.signal,
    });
    return { ...result, location: store.location };
  } finally {
    await run.close();
    interrupts.dispose();
  }
}

/** `open-clio generate --estimate`: loads and samples the items, prices the run, spends nothing. */
export async function runEstimateCommand(
  options: CommandOptions,
): Promise<{ items: number; llm: string; stages: StageEstimate[] }> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    const { config } = run.loaded;
    const source = await loadSource(config);
    const items = sampleItems(source.items, config.sample, config.seed);
    return {
      items: items.length,
      llm: run.llm.id,
      stages: await estimateRun(items, config, { llm: run.llm, cache: run.summaryCache }),
    };
  } finally {
    await run.close();
  }
}

export function formatEstimate(estimate: Awaited<ReturnType<typeof runEstimateCommand>>): string {
  const money = (s: StageEstimate) =>
    s.costUsd === undefined
      ? `price unknown for ${s.model ?? 'the model'} (set llm.prices)`
      : `$${s.costUsd.toFixed(2)}`;
  const lines = [`Estimate for ${estimate.items} items with ${estimate.llm} (nothing was spent):`];
  for (const s of estimate.stages) {
    lines.push(
      `  ${s.stage.padEnd(10)} ${String(s.calls).padStart(7)} calls  ${String(s.usage.inputTokens).padStart(10)} in  ${String(s.usage.outputTokens).padStart(8)} out  ${money(s)}${s.model ? `  (${s.model})` : ''}`,
    );
  }
  const known = estimate.stages.map((s) => s.costUsd);
  if (known.every((c) => c !== undefined))
    lines.push(`  total $${known.reduce((a = 0, b = 0) => a + b, 0)?.toFixed(2)}`);
  const bases = [
    ...new Set(estimate.stages.flatMap((s) => (s.basis ? [`${s.stage}: ${s.basis}`] : []))),
  ];
  if (bases.length > 0) lines.push('Input tokens:', ...bases.map((b) => `  ${b}`));
  return lines.join('\n');
}
