/**
 * Retries of calls to rate-limited services: exponential backoff with full jitter, capped, and
 * the server's own `retry-after` honoured when it says how long to wait.
 */

export interface RetryOptions {
  /** Attempts in all, the first included. Default 6. */
  readonly attempts?: number;
  /** Base delay in ms, doubled per attempt. Default 500. */
  readonly baseMs?: number;
  /** Longest single wait in ms. Default 60,000. */
  readonly maxMs?: number;
  /** Decides whether an error is worth another attempt. Default: `isRetryable`. */
  readonly retryable?: (error: unknown) => boolean;
  /** Called before each wait; for logs and tests. */
  readonly onRetry?: (error: unknown, attempt: number, waitMs: number) => void;
  /** Random source in [0, 1) for the jitter; injectable for tests. */
  readonly random?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** HTTP status of an SDK or fetch error, when it carries one. */
export function errorStatus(error: unknown): number | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  const e = error as {
    status?: unknown;
    statusCode?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  for (const value of [e.status, e.statusCode, e.$metadata?.httpStatusCode]) {
    if (typeof value === 'number') return value;
  }
  return undefined;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** Throttling (429), overload (529), server errors (5xx), timeouts and dropped connections. */
export function isRetryable(error: unknown): boolean {
  const status = errorStatus(error);
  if (status !== undefined)
    return status === 408 || status === 409 || status === 429 || status >= 500;
  const e = error as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null;
  const code = e?.code ?? e?.cause?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const name = typeof e?.name === 'string' ? e.name : '';
  return /Connection|Timeout|Throttling|ServiceUnavailable/i.test(name);
}

/** The wait a server asked for, from `retry-after-ms` or `retry-after` (seconds or a date). */
export function retryAfterMs(error: unknown, now = Date.now()): number | undefined {
  const headers = (error as { headers?: unknown } | null)?.headers;
  const get = (name: string): string | null | undefined => {
    if (!headers || typeof headers !== 'object') return undefined;
    if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
    const value = (headers as Record<string, unknown>)[name];
    return typeof value === 'string' ? value : undefined;
  };
  const ms = Number(get('retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const after = get('retry-after');
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Runs `call` until it succeeds, a non-retryable error occurs, or the attempts run out. */
export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  const baseMs = options.baseMs ?? 500;
  const maxMs = options.maxMs ?? 60_000;
  const retryable = options.retryable ?? isRetryable;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt >= attempts || !retryable(error)) throw error;
      const backoff = random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1));
      const wait = Math.min(maxMs, Math.max(retryAfterMs(error) ?? 0, backoff));
      options.onRetry?.(error, attempt, wait);
      await sleep(wait);
    }
  }
}
