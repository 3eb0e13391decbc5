import { Worker, type WorkerOptions } from 'node:worker_threads';

const bootstrapUrl = new URL('./ts-bootstrap.mjs', import.meta.url);

/**
 * Starts a worker thread running a TypeScript module. A worker does not inherit a TypeScript
 * loader from its parent (the CLI, vitest and the bundled Lambdas each load TS differently),
 * so a `.ts` module is started through a tiny JS bootstrap that registers tsx in the thread.
 * Built `.js`/`.mjs` modules start directly. The module reads its own data from
 * `workerData.data`.
 */
export function spawnTsWorker(moduleUrl: URL, data: unknown, options: WorkerOptions = {}): Worker {
  const isTs = moduleUrl.pathname.endsWith('.ts');
  const workerData = { moduleUrl: moduleUrl.href, data };
  return isTs
    ? new Worker(bootstrapUrl, { ...options, workerData })
    : new Worker(moduleUrl, { ...options, workerData });
}
