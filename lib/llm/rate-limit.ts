/**
 * Client-side rate limiting, so a large run stays under the account's limits instead of learning
 * them from 429s. The API meters with token buckets that refill continuously (a limit of 60
 * requests a minute is enforced as about one a second), so a client that sent a minute's quota at
 * once would be throttled however well it paced itself afterwards. Ours are token buckets too,
 * holding only about a second of traffic and refilling a little below the limit.
 */

export interface Clock {
  /** Milliseconds on a monotonic scale. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};

export interface RateLimiterOptions {
  /** Requests a minute; unset means unlimited. */
  readonly requestsPerMinute?: number | undefined;
  /** Input + output tokens a minute; unset means unlimited. */
  readonly tokensPerMinute?: number | undefined;
  /** Seconds of traffic a full bucket holds: the largest burst sent at once. Default 1. */
  readonly burstSeconds?: number;
  /**
   * Share of each limit aimed at. Below 1 so that latency jitter (requests arriving at the
   * server closer together than they left) never tips a request over. Default 0.95.
   */
  readonly headroom?: number;
  readonly clock?: Clock;
}

/** What `acquire` granted; hand it back to `settle` once the real cost is known. */
export interface RatePermit {
  readonly tokens: number;
}

// Float rounding after a computed sleep must not cost another full wait.
const EPSILON = 1e-9;

class Bucket {
  readonly capacity: number;
  readonly perMs: number;
  #level: number;
  #updatedAt: number;

  constructor(perMinute: number, burstSeconds: number, headroom: number, now: number) {
    const rate = perMinute * headroom;
    this.capacity = Math.max(1, Math.floor((rate * burstSeconds) / 60));
    this.perMs = rate / 60_000;
    this.#level = this.capacity;
    this.#updatedAt = now;
  }

  #refill(now: number): void {
    const elapsed = Math.max(0, now - this.#updatedAt);
    this.#level = Math.min(this.capacity, this.#level + elapsed * this.perMs);
    this.#updatedAt = now;
  }

  /** Milliseconds until `amount` is available (0 when it is now). */
  waitFor(amount: number, now: number): number {
    this.#refill(now);
    const missing = Math.min(amount, this.capacity) - this.#level;
    return missing <= EPSILON ? 0 : missing / this.perMs;
  }

  take(amount: number, now: number): void {
    this.#refill(now);
    this.#level -= Math.min(amount, this.capacity);
  }

  /** Gives back (positive) or charges (negative) a correction; a debt delays later requests. */
  adjust(delta: number, now: number): void {
    this.#refill(now);
    this.#level = Math.min(this.capacity, this.#level + delta);
  }
}

/**
 * Shared by every call of one provider. Callers are served first come, first served: each waits
 * until both buckets hold its cost, takes it, and reports the actual token count afterwards.
 */
export class RateLimiter {
  readonly #clock: Clock;
  readonly #requests: Bucket | undefined;
  readonly #tokens: Bucket | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #pausedUntil = 0;

  constructor(options: RateLimiterOptions = {}) {
    this.#clock = options.clock ?? systemClock;
    const burst = options.burstSeconds ?? 1;
    const headroom = options.headroom ?? 0.95;
    if (!(burst > 0) || !(headroom > 0 && headroom <= 1)) {
      throw new RangeError('burstSeconds must be > 0 and headroom in (0, 1]');
    }
    const now = this.#clock.now();
    const bucket = (perMinute: number | undefined) =>
      perMinute !== undefined && perMinute > 0
        ? new Bucket(perMinute, burst, headroom, now)
        : undefined;
    this.#requests = bucket(options.requestsPerMinute);
    this.#tokens = bucket(options.tokensPerMinute);
  }

  /** Whether any limit is set; an unlimited limiter grants at once. */
  get limited(): boolean {
    return this.#requests !== undefined || this.#tokens !== undefined;
  }

  /**
   * Waits for room for one request costing about `estimatedTokens`. A request larger than the
   * token bucket waits for a full bucket and its excess is charged when it settles.
   */
  acquire(estimatedTokens: number): Promise<RatePermit> {
    const turn = this.#queue.then(() => this.#waitTurn(Math.max(0, estimatedTokens)));
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Replaces the estimate with what the request really cost (0 if it never ran). */
  settle(permit: RatePermit, actualTokens: number): void {
    this.#tokens?.adjust(permit.tokens - actualTokens, this.#clock.now());
  }

  /** The server said to wait (429 with retry-after): every caller holds off until then. */
  pause(ms: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, this.#clock.now() + ms);
  }

  async #waitTurn(tokens: number): Promise<RatePermit> {
    for (;;) {
      const now = this.#clock.now();
      const wait = Math.max(
        this.#pausedUntil - now,
        this.#requests?.waitFor(1, now) ?? 0,
        this.#tokens?.waitFor(tokens, now) ?? 0,
      );
      if (wait <= 0) {
        this.#requests?.take(1, now);
        this.#tokens?.take(tokens, now);
        return { tokens: this.#tokens ? Math.min(tokens, this.#tokens.capacity) : tokens };
      }
      await this.#clock.sleep(wait);
    }
  }
}

/**
 * A request's token cost before it is sent: about four characters a token for the prompt, plus
 * every output token it may use. Settling with the real usage corrects the guess.
 */
export function estimateTokens(promptChars: number, maxTokens: number): number {
  return Math.ceil(promptChars / 4) + maxTokens;
}
