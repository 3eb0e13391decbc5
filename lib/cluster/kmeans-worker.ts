/**
 * Worker entry for k-means: holds a KMeansCore over the shared state passed as workerData and
 * runs the tasks it is sent, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KMeansCore, type SharedState, type Task } from './kmeans-ops.js';

const core = new KMeansCore((workerData as { data: SharedState }).data);
const port = parentPort;
if (!port) throw new Error('kmeans-worker must run in a worker thread');

port.on('message', ({ id, task }: { id: number; task: Task }) => {
  try {
    port.postMessage({ id, result: core.run(task) });
  } catch (error) {
    port.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
});
