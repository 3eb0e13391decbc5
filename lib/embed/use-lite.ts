import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ClioError } from '../util/errors.js';
import { spawnTsWorker } from '../workers/spawn.js';
import { planBatches } from './batches.js';
import type { Embedder } from './types.js';
import type { UseLiteReply, UseLiteWorkerData } from './use-lite-worker.js';

const DIMENSIONS = 512;
const MODEL_VERSION = '0.2.0';
const DEFAULT_MAX_WORDS = 100;
const DEFAULT_BATCH = 32;
const DEFAULT_TOKENS_PER_BATCH = 512;

export interface UseLiteOptions {
  /** Worker threads, each with its own copy of the model (~100 MB). Default min(2, cores). */
  threads?: number;
  /** Texts per message to a worker at most. Default 32. */
  batchSize?: number;
  /**
   * Padded tokens per message at most (texts × the longest text's estimated tokens). Default
   * 512; `Infinity` leaves only `batchSize`.
   */
  tokensPerBatch?: number;
  /** Batch texts of similar length together (true) or in the caller's order. Default true. */
  sortByLength?: boolean;
  /** Replace the WebAssembly backend's slow SplitV kernel (see use-lite-kernels). Default true. */
  fastSplit?: boolean;
  /**
   * Run its dense layers in 16-bit integers, about twice the multiply-adds per instruction (see
   * use-lite-matmul). Default true.
   */
  quantizedMatMul?: boolean;
  /** Words kept from the start of each text. Default 100. */
  maxWords?: number;
  /** Module run in each worker; tests substitute failing ones. Default `use-lite-worker`. */
  workerUrl?: URL;
}

export interface UseLiteWarmup {
  threads: number;
  /** Wall time from spawning the workers until every one had loaded the model. */
  readyMs: number;
  /** Time each worker spent in `initModel` alone (reading and compiling the weights). */
  modelLoadMs: number[];
}

/**
 * Cuts a text to what USE-lite is built for: a sentence or short paragraph. Cost grows with
 * the number of tokens, and words past the first hundred or so barely move the vector.
 * Whitespace is collapsed because the model's tokenizer only knows the plain space, and an
 * empty text becomes a fixed placeholder because the model cannot take an empty input (a batch
 * ending in one even loses a row).
 */
export function prepareText(text: string, maxWords = DEFAULT_MAX_WORDS): string {
  const words = text.split(/\s+/).filter(Boolean);
  if (words.length === 0) return '(empty)';
  // A "word" can be a URL or a base64 blob; cap characters too so one cannot cost a whole batch.
  return words
    .slice(0, maxWords)
    .join(' ')
    .slice(0, maxWords * 12);
}

/**
 * Estimated USE-lite tokens of a prepared text: its sentencepiece vocabulary averages about four
 * characters a token on English prose. Only used to group texts of similar length.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4) + 1;
}

interface Call {
  /** One vector per distinct prepared text. */
  readonly distinctVectors: Float32Array[];
  /** For each of the caller's texts, its index in `distinctVectors`. */
  readonly distinctOf: Int32Array;
  /** How many of the caller's texts share each distinct text, for progress in their terms. */
  readonly copies: Int32Array;
  remaining: number;
  done: number;
  failed: boolean;
  readonly onProgress: ((done: number) => void) | undefined;
  readonly resolve: (vectors: Float32Array[]) => void;
  readonly reject: (error: Error) => void;
}

interface Task {
  readonly id: number;
  readonly call: Call;
  /** Indices into the call's distinct texts. */
  readonly indices: readonly number[];
  readonly texts: string[];
}

interface PoolWorker {
  readonly worker: Worker;
  /** Settles with the model load time, or rejects if the worker dies first. */
  readonly ready: Promise<number>;
  readonly markFailed: (error: Error) => void;
  isReady: boolean;
  task: Task | undefined;
}

const workerUrl = new URL(
  import.meta.url.endsWith('.ts') ? './use-lite-worker.ts' : './use-lite-worker.js',
  import.meta.url,
);

/**
 * Universal Sentence Encoder lite (512 dimensions) through @energetic-ai/embeddings, run in a
 * pool of worker threads so the embedding work neither blocks the event loop nor stays on one
 * core. Each distinct text is embedded once, in batches of texts of similar length (see
 * `planBatches`) handed to idle workers, and the vectors come back in the caller's order. Workers start on the first
 * `embed()` (or `warmup()`), keep the model loaded until `close()`, and are unref'd while idle
 * so a forgotten `close()` does not keep the process alive. Any worker failure rejects the calls
 * in flight and discards the pool; the next call starts a fresh one.
 */
export class UseLiteEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions = DIMENSIONS;
  readonly #threads: number;
  readonly #batchSize: number;
  readonly #tokensPerBatch: number;
  readonly #sortByLength: boolean;
  readonly #workerData: UseLiteWorkerData;
  readonly #maxWords: number;
  readonly #workerUrl: URL;
  #pool: PoolWorker[] = [];
  #queue: Task[] = [];
  #calls = new Set<Call>();
  #nextId = 0;

  constructor(options: UseLiteOptions = {}) {
    this.#threads = Math.max(1, options.threads ?? Math.min(2, availableParallelism()));
    this.#batchSize = Math.max(1, options.batchSize ?? DEFAULT_BATCH);
    this.#tokensPerBatch = Math.max(1, options.tokensPerBatch ?? DEFAULT_TOKENS_PER_BATCH);
    this.#sortByLength = options.sortByLength ?? true;
    this.#workerData = {
      fastSplit: options.fastSplit ?? true,
      quantizedMatMul: options.quantizedMatMul ?? true,
    };
    this.#maxWords = Math.max(1, options.maxWords ?? DEFAULT_MAX_WORDS);
    this.#workerUrl = options.workerUrl ?? workerUrl;
    const truncation = this.#maxWords === DEFAULT_MAX_WORDS ? '' : `-w${this.#maxWords}`;
    this.id = `use-lite-512@${MODEL_VERSION}${truncation}`;
  }

  /** Starts every worker and waits until each has loaded the model. */
  async warmup(): Promise<UseLiteWarmup> {
    const started = performance.now();
    this.#grow(this.#threads);
    this.#setRef(true);
    try {
      const modelLoadMs = await Promise.all(this.#pool.map((p) => p.ready));
      return { threads: this.#pool.length, readyMs: performance.now() - started, modelLoadMs };
    } finally {
      this.#setRef(this.#calls.size > 0);
    }
  }

  embed(texts: readonly string[], onProgress?: (done: number) => void): Promise<Float32Array[]> {
    if (texts.length === 0) return Promise.resolve([]);
    const plan = planBatches(
      texts.map((t) => prepareText(t, this.#maxWords)),
      {
        maxTexts: this.#batchSize,
        maxPaddedCost: this.#tokensPerBatch,
        sortByCost: this.#sortByLength,
      },
      estimateTokens,
    );
    const copies = new Int32Array(plan.distinct.length);
    for (const d of plan.distinctOf) copies[d] = (copies[d] as number) + 1;
    return new Promise<Float32Array[]>((resolve, reject) => {
      const call: Call = {
        distinctVectors: new Array<Float32Array>(plan.distinct.length),
        distinctOf: plan.distinctOf,
        copies,
        remaining: plan.distinct.length,
        done: 0,
        failed: false,
        onProgress,
        resolve,
        reject,
      };
      this.#calls.add(call);
      for (const indices of plan.batches) {
        const batch = indices.map((d) => plan.distinct[d] as string);
        this.#queue.push({ id: this.#nextId++, call, indices, texts: batch });
      }
      // Small calls need not pay for loading the model in every thread.
      this.#grow(Math.min(this.#threads, this.#queue.length));
      this.#setRef(true);
      this.#dispatch();
    });
  }

  async close(): Promise<void> {
    await this.#fail(new ClioError('the USE-lite embedder was closed'));
  }

  #grow(count: number): void {
    while (this.#pool.length < count) this.#pool.push(this.#spawn());
  }

  #spawn(): PoolWorker {
    const worker = spawnTsWorker(this.#workerUrl, this.#workerData);
    let markReady: (loadMs: number) => void = () => {};
    let markFailed: (error: Error) => void = () => {};
    const ready = new Promise<number>((resolve, reject) => {
      markReady = resolve;
      markFailed = reject;
    });
    // Observed by warmup() when it is used; otherwise failures surface through the calls.
    ready.catch(() => {});
    const entry: PoolWorker = { worker, ready, markFailed, isReady: false, task: undefined };
    worker.on('message', (reply: UseLiteReply) => {
      if (reply.type === 'ready') {
        entry.isReady = true;
        markReady(reply.loadMs);
        this.#dispatch();
        return;
      }
      const task = entry.task;
      entry.task = undefined;
      if (task && task.id === reply.id) {
        if (reply.type === 'result') this.#complete(task, reply.vectors);
        else
          this.#rejectCall(
            task.call,
            new ClioError(`USE-lite failed on a batch: ${reply.message}`),
          );
      }
      this.#dispatch();
    });
    const onFailure = (error: Error): void => {
      markFailed(error);
      if (this.#pool.includes(entry)) void this.#fail(error);
    };
    worker.on('error', (error) =>
      onFailure(new ClioError(`the USE-lite worker failed: ${error.message}`, { cause: error })),
    );
    worker.on('exit', (code) =>
      onFailure(new ClioError(`the USE-lite worker exited unexpectedly (code ${code})`)),
    );
    return entry;
  }

  #dispatch(): void {
    for (const entry of this.#pool) {
      if (!entry.isReady || entry.task) continue;
      let task = this.#queue.shift();
      while (task?.call.failed) task = this.#queue.shift();
      if (!task) break;
      entry.task = task;
      entry.worker.postMessage({ type: 'embed', id: task.id, texts: task.texts });
    }
  }

  #complete(task: Task, flat: Float32Array): void {
    const { call } = task;
    if (call.failed) return;
    task.indices.forEach((d, i) => {
      const v = flat.slice(i * DIMENSIONS, (i + 1) * DIMENSIONS);
      // The model's output is unit length only to ~1e-7; renormalise in float32.
      let sq = 0;
      for (let c = 0; c < DIMENSIONS; c++) sq += (v[c] as number) ** 2;
      const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (let c = 0; c < DIMENSIONS; c++) v[c] = (v[c] as number) * inv;
      call.distinctVectors[d] = v;
      call.done += call.copies[d] as number;
    });
    call.remaining -= task.indices.length;
    call.onProgress?.(call.done);
    if (call.remaining === 0) {
      this.#calls.delete(call);
      if (this.#calls.size === 0) this.#setRef(false);
      // Repeated texts share one vector object.
      call.resolve(Array.from(call.distinctOf, (d) => call.distinctVectors[d] as Float32Array));
    }
  }

  #rejectCall(call: Call, error: Error): void {
    if (call.failed) return;
    call.failed = true;
    this.#calls.delete(call);
    this.#queue = this.#queue.filter((t) => t.call !== call);
    if (this.#calls.size === 0) this.#setRef(false);
    call.reject(error);
  }

  /** Rejects every pending call and terminates the whole pool. */
  async #fail(error: Error): Promise<void> {
    const pool = this.#pool;
    this.#pool = [];
    this.#queue = [];
    for (const call of [...this.#calls]) this.#rejectCall(call, error);
    await Promise.all(
      pool.map((entry) => {
        entry.markFailed(error);
        entry.worker.removeAllListeners('exit');
        return entry.worker.terminate();
      }),
    );
  }

  // Workers hold the event loop open only while there is work for them.
  #setRef(active: boolean): void {
    for (const entry of this.#pool) {
      if (active) entry.worker.ref();
      else entry.worker.unref();
    }
  }
}
