/**
 * Where k-means tasks run: in this thread, or spread over worker threads that share the data
 * through SharedArrayBuffers (nothing is copied per iteration, only small task messages).
 */
import { extname } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnTsWorker } from '../workers/spawn.js';
import { KMeansCore, type SharedState, type Task } from './kmeans-ops.js';

export interface Executor {
  readonly threads: number;
  /** Runs the tasks (in parallel when possible) and returns their results in task order. */
  run(tasks: Task[]): Promise<number[]>;
  /** Releases threads; safe to call more than once. */
  close(): Promise<void>;
}

export class LocalExecutor implements Executor {
  readonly threads = 1;
  private readonly core: KMeansCore;

  constructor(state: SharedState) {
    this.core = new KMeansCore(state);
  }

  async run(tasks: Task[]): Promise<number[]> {
    return tasks.map((task) => this.core.run(task));
  }

  async close(): Promise<void> {}
}

interface Pending {
  resolve: (value: number) => void;
  reject: (error: Error) => void;
}

// Follow this module's own extension so the worker also resolves once the code is built to .js.
const workerUrl = new URL(`./kmeans-worker${extname(import.meta.url)}`, import.meta.url);

export class WorkerExecutor implements Executor {
  private readonly workers: Worker[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  constructor(state: SharedState, threads: number) {
    this.workers = [];
    try {
      for (let i = 0; i < threads; i++) this.workers.push(this.spawn(state));
    } catch (error) {
      void this.close();
      throw error;
    }
  }

  get threads(): number {
    return this.workers.length;
  }

  private spawn(state: SharedState): Worker {
    const worker = spawnTsWorker(workerUrl, state);
    worker.on('message', (msg: { id: number; result?: number; error?: string }) => {
      const waiting = this.pending.get(msg.id);
      if (!waiting) return;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) waiting.reject(new Error(`k-means worker: ${msg.error}`));
      else waiting.resolve(msg.result ?? 0);
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`k-means worker exited early (code ${code})`));
    });
    return worker;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  private send(worker: Worker, task: Task): Promise<number> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<number>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, task });
    });
  }

  run(tasks: Task[]): Promise<number[]> {
    // A worker handles its messages in order, so queueing task i on worker i mod T is enough.
    return Promise.all(
      tasks.map((task, i) => this.send(this.workers[i % this.workers.length] as Worker, task)),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('k-means executor closed'));
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
