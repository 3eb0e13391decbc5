import { type GenerateResult, generate } from '../pipeline/generate.js';
import type { ProgressReporter } from '../pipeline/types.js';
import { openLocalRun } from './local-run.js';

export interface CommandOptions {
  readonly config: string;
  readonly cwd: string;
  readonly progress: ProgressReporter;
}

/** `open-clio generate`: the pipeline on the local runner; printing is the caller's. */
export async function runGenerateCommand(
  options: CommandOptions,
): Promise<GenerateResult & { location: string }> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    const { llm, embedder, store, summaryCache } = run;
    options.progress.info(`LLM: ${llm.id}   embedder: ${embedder.id}   results: ${store.location}`);
    const result = await generate(run.loaded, {
      llm,
      embedder,
      store,
      summaryCache,
      progress: options.progress,
    });
    return { ...result, location: store.location };
  } finally {
    await run.close();
  }
}
