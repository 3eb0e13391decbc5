/**
 * Lloyd iterations driven from the main thread: it splits each step into tasks for the executor
 * and does the O(n) bookkeeping (cluster sizes, empty clusters) itself.
 */
import {
  INERTIA_BLOCK,
  type Precision,
  type SharedState,
  type SpaceId,
  spaceOf,
  type Task,
} from './kmeans-ops.js';
import type { Executor } from './kmeans-pool.js';
import { exactSquaredDistance } from './kmeans-seed.js';

/** Splits [0, total) into `parts` contiguous ranges whose starts are multiples of `align`. */
export function splitRange(total: number, parts: number, align = 1): [number, number][] {
  const units = Math.ceil(total / align);
  const out: [number, number][] = [];
  for (let w = 0; w < parts; w++) {
    const start = Math.min(total, Math.floor((units * w) / parts) * align);
    const end = Math.min(total, Math.floor((units * (w + 1)) / parts) * align);
    if (end > start) out.push([start, end]);
  }
  return out;
}

function sum(values: Float32Array): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i] as number;
  return total;
}

export interface LloydOptions {
  tolerance: number;
  /** Also stop once a round lowers the inertia by less than this fraction (default: never). */
  minImprovement?: number | undefined;
  onProgress?: ((iteration: number, moved: number, inertia: number) => void) | undefined;
}

/** Above this fraction of moved points, re-summing every cluster in parallel beats patching. */
const PATCH_SUMS_BELOW = 0.1;

export class Lloyd {
  iterations = 0;
  counts: Int32Array;
  /** The assignments and space that `state.sums` were built from; unset when sums are stale. */
  private summed: { assignments: Int32Array; space: SpaceId } | undefined;

  constructor(
    private readonly state: SharedState,
    private readonly executor: Executor,
    /** Current number of clusters; shrinks only if a cluster cannot be re-seeded. */
    public k: number,
    private readonly options: LloydOptions,
  ) {
    this.counts = new Int32Array(k);
  }

  /**
   * Rounds on int16 products (when `int16`) until they stop as `run` does, then exact float
   * rounds until those stop: at least one, so the final assignment is exact. Together at most
   * maxIterations rounds (at least one).
   */
  async converge(space: SpaceId, maxIterations: number, int16: boolean): Promise<void> {
    const start = this.iterations;
    if (int16 && maxIterations > 1) await this.run(space, maxIterations - 1, 'i16');
    await this.run(space, Math.max(1, maxIterations - (this.iterations - start)), 'f32');
  }

  /**
   * Assign/update rounds until at most tolerance·n points move, a round gains less than
   * minImprovement, or maxIterations is reached.
   */
  async run(space: SpaceId, maxIterations: number, precision: Precision = 'f32'): Promise<void> {
    const { n } = this.state;
    let previous = Number.POSITIVE_INFINITY;
    for (let i = 0; i < maxIterations; i++) {
      const tasks: Task[] = splitRange(n, this.executor.threads).map(([start, end]) => ({
        op: 'assign',
        space,
        k: this.k,
        start,
        end,
        precision,
      }));
      const moved = (await this.executor.run(tasks)).reduce((a, b) => a + b, 0);
      // Inertia of this assignment against the centroids it was made with, summed in point order.
      const current = sum(this.state.dists);
      this.countAndFillEmpty(space);
      await this.update(space);
      this.iterations++;
      this.options.onProgress?.(this.iterations, moved, current);
      if (moved <= this.options.tolerance * n) break;
      if (previous - current < (this.options.minImprovement ?? 0) * current) break;
      previous = current;
    }
  }

  /** Sets each centroid to the mean of its points in `space` (sizes from the last count). */
  async update(space: SpaceId): Promise<void> {
    const { dim } = spaceOf(this.state, space);
    const { sums, centroids, assignments } = this.state;
    if (!this.patchSums(space)) {
      await this.executor.run(this.accumulateTasks(space));
      this.summed = { assignments: assignments.slice(), space };
    }
    for (let c = 0; c < this.k; c++) {
      const inv = 1 / (this.counts[c] as number);
      for (let j = c * dim; j < (c + 1) * dim; j++) centroids[j] = (sums[j] as number) * inv;
    }
  }

  /** Exact float64 sum of squared distances to the current centroids in `space`. */
  async inertia(space: SpaceId): Promise<number> {
    const tasks: Task[] = splitRange(this.state.n, this.executor.threads, INERTIA_BLOCK).map(
      ([start, end]) => ({ op: 'inertia', space, start, end }),
    );
    await this.executor.run(tasks);
    // Summing fixed blocks in order keeps the total independent of the thread count.
    return this.state.blockInertia.reduce((a, b) => a + b, 0);
  }

  /**
   * Late rounds move few points, so moving just those points between cluster sums (in point
   * order, in this thread) costs far less than re-summing all n rows. Returns false when a full
   * re-sum is needed or cheaper.
   */
  private patchSums(space: SpaceId): boolean {
    const previous = this.summed;
    if (!previous || previous.space !== space) return false;
    const { n, assignments, sums } = this.state;
    const { data, dim } = spaceOf(this.state, space);
    let changed = 0;
    for (let p = 0; p < n; p++) if (assignments[p] !== previous.assignments[p]) changed++;
    if (changed > PATCH_SUMS_BELOW * n) return false;
    for (let p = 0; p < n; p++) {
      const from = previous.assignments[p] as number;
      const to = assignments[p] as number;
      if (from === to) continue;
      const src = p * dim;
      for (let j = 0; j < dim; j++) {
        const x = data[src + j] as number;
        sums[from * dim + j] = (sums[from * dim + j] as number) - x;
        sums[to * dim + j] = (sums[to * dim + j] as number) + x;
      }
      previous.assignments[p] = to;
    }
    return true;
  }

  /** Gives each worker centroids owning about n / threads points, so summing is balanced. */
  private accumulateTasks(space: SpaceId): Task[] {
    const parts = this.executor.threads;
    const tasks: Task[] = [];
    let from = 0;
    let seen = 0;
    for (let c = 0; c < this.k; c++) {
      seen += this.counts[c] as number;
      const last = c === this.k - 1;
      if (last || seen >= (this.state.n * (tasks.length + 1)) / parts) {
        tasks.push({ op: 'accumulate', space, k: this.k, from, to: c + 1 });
        from = c + 1;
      }
    }
    return tasks;
  }

  /**
   * Counts cluster sizes and re-seeds every empty cluster with the point farthest from its
   * centroid (taken from a cluster that keeps at least one point). A cluster that cannot be
   * re-seeded because every point sits exactly on its centroid is dropped, and ids are compacted.
   */
  private countAndFillEmpty(space: SpaceId): void {
    const { n, assignments, dists, centroids } = this.state;
    const { data, dim } = spaceOf(this.state, space);
    const counts = new Int32Array(this.k);
    for (let p = 0; p < n; p++) {
      const a = assignments[p] as number;
      counts[a] = (counts[a] as number) + 1;
    }
    let dropped = false;
    for (let c = 0; c < this.k; c++) {
      if (counts[c] !== 0) continue;
      let far = -1;
      let farDist = -1;
      for (let p = 0; p < n; p++) {
        const d = dists[p] as number;
        if (d > farDist && (counts[assignments[p] as number] as number) > 1) {
          far = p;
          farDist = d;
        }
      }
      const from = far < 0 ? -1 : (assignments[far] as number);
      if (far < 0 || exactSquaredDistance(data, far, centroids, from, dim) === 0) {
        dropped = true;
        continue;
      }
      counts[from] = (counts[from] as number) - 1;
      counts[c] = 1;
      assignments[far] = c;
      dists[far] = 0;
    }
    if (dropped) {
      // Cluster ids change, so the sums must be rebuilt.
      this.summed = undefined;
      this.compact(counts);
    } else this.counts = counts;
  }

  private compact(counts: Int32Array): void {
    const { n, assignments } = this.state;
    const remap = new Int32Array(this.k);
    let next = 0;
    for (let c = 0; c < this.k; c++) remap[c] = counts[c] === 0 ? -1 : next++;
    for (let p = 0; p < n; p++) assignments[p] = remap[assignments[p] as number] as number;
    this.counts = counts.filter((count) => count > 0);
    this.k = next;
  }
}
