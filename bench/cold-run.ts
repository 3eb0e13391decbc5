import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGenerateCommand } from '../lib/cli/generate-command.js';
import { silentProgress } from '../lib/pipeline/types.js';

export type GenerateResult = Awaited<ReturnType<typeof runGenerateCommand>>;

export interface TimedRun {
  readonly result: GenerateResult;
  readonly wallSeconds: number;
  /** Every thread of this process, so worker threads count too. */
  readonly cpuSeconds: number;
  /** "embed 9.1 s, cluster level 0 1.2 s, …" */
  readonly stages: string;
}

/** CPU seconds of this process so far, every thread included. */
export const cpuNow = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

/**
 * `generate` with the offline providers on `config` in a fresh temp folder (so from a cold
 * cache), `runs` times in a row in the same folder: the first run is cold, later ones warm.
 * `inspect` sees the results folder before it is deleted.
 */
export async function timedGenerate(
  config: Record<string, unknown>,
  options: { runs?: number; inspect?: (saveDir: string) => Promise<void> } = {},
): Promise<TimedRun[]> {
  const work = await mkdtemp(join(tmpdir(), 'clio-bench-'));
  try {
    const saveDir = join(work, 'results');
    const configPath = join(work, 'config.json');
    await writeFile(configPath, JSON.stringify({ ...config, save_path: saveDir }));
    const runs: TimedRun[] = [];
    for (let i = 0; i < (options.runs ?? 1); i++) {
      const cpu0 = cpuNow();
      const t0 = performance.now();
      const result = await runGenerateCommand({
        config: configPath,
        cwd: work,
        progress: silentProgress,
      });
      runs.push({
        result,
        wallSeconds: (performance.now() - t0) / 1000,
        cpuSeconds: cpuNow() - cpu0,
        stages: Object.entries(result.record.timingsMs)
          .map(([s, ms]) => `${s} ${(ms / 1000).toFixed(2)} s`)
          .join(', '),
      });
    }
    await options.inspect?.(saveDir);
    return runs;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
