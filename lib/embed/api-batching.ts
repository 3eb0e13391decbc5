/**
 * What the API embedders (Bedrock Titan, Voyage, OpenAI-compatible) share: preparing texts,
 * planning requests inside each provider's limits, running them with bounded concurrency and
 * retries, and turning replies into unit vectors. A provider supplies only `send` (one request).
 */
import pLimit from 'p-limit';
import { ClioError } from '../util/errors.js';
import { errorStatus, type RetryOptions, withRetry } from '../util/retry.js';
import type { Embedder } from './types.js';

export interface BatchLimits {
  /** Texts per request. */
  readonly maxTexts: number;
  /** Estimated tokens per request, all its texts together. */
  readonly maxTokens: number;
  /** Estimated tokens per text; longer texts are cut to fit. */
  readonly maxTextTokens: number;
  /** Characters per text, for models that also limit those. */
  readonly maxTextChars?: number | undefined;
  /** Requests in flight at once. */
  readonly concurrency: number;
}

/**
 * Stands in for an empty or blank text: every one of these APIs rejects an empty input, and a
 * fixed stand-in gives all blank texts the same vector, which is what they have in common.
 */
export const EMPTY_TEXT_PLACEHOLDER = '(empty)';

const BYTES_PER_TOKEN = 3;

/**
 * An upper estimate of a text's tokens without the provider's tokenizer. BPE tokenizers give
 * about 4 characters per token on English and about 1 per CJK character (3 UTF-8 bytes), so one
 * token per 3 bytes overestimates ordinary text: batches stay under the limits, at the price of
 * a few more requests. Random strings (hashes, base64) can beat it; see the 413 split below.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);
}

/** The text as sent: blank → placeholder, and cut to the model's input limit on purpose. */
export function prepareText(
  text: string,
  limits: Pick<BatchLimits, 'maxTextTokens' | 'maxTextChars'>,
): string {
  if (text.trim() === '') return EMPTY_TEXT_PLACEHOLDER;
  let out = text;
  if (limits.maxTextChars !== undefined && out.length > limits.maxTextChars) {
    out = out.slice(0, limits.maxTextChars).replace(/[\uD800-\uDBFF]$/, '');
  }
  const maxBytes = limits.maxTextTokens * BYTES_PER_TOKEN;
  if (Buffer.byteLength(out, 'utf8') > maxBytes) {
    // A byte cut can split a character; drop the replacement character it leaves.
    out = Buffer.from(out, 'utf8')
      .subarray(0, maxBytes)
      .toString('utf8')
      .replace(/\uFFFD$/, '');
  }
  return out;
}

/** Consecutive runs of indices, each within the text and token limits of one request. */
export function planBatches(
  tokens: readonly number[],
  limits: Pick<BatchLimits, 'maxTexts' | 'maxTokens'>,
): number[][] {
  const batches: number[][] = [];
  let current: number[] = [];
  let sum = 0;
  for (const [index, count] of tokens.entries()) {
    if (
      current.length > 0 &&
      (current.length >= limits.maxTexts || sum + count > limits.maxTokens)
    ) {
      batches.push(current);
      current = [];
      sum = 0;
    }
    current.push(index);
    sum += count;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A provider request that failed; `status` and `headers` drive `withRetry`. */
export class EmbeddingApiError extends ClioError {
  override name = 'EmbeddingApiError';
  readonly provider: string;
  readonly status: number | undefined;
  readonly headers: Headers | Record<string, string> | undefined;

  constructor(
    message: string,
    details: {
      provider: string;
      status?: number | undefined;
      headers?: Headers | Record<string, string> | undefined;
      cause?: unknown;
    },
  ) {
    super(message, { cause: details.cause });
    this.provider = details.provider;
    this.status = details.status;
    this.headers = details.headers;
  }
}

/** A reply that does not have the documented shape (wrong count, length, or not numbers). */
export class EmbeddingResponseError extends ClioError {
  override name = 'EmbeddingResponseError';
}

/** An API key, region or setting the provider cannot run without. */
export class EmbedderSetupError extends ClioError {
  override name = 'EmbedderSetupError';
}

/**
 * Removes secrets from text that came from a server or an SDK: the exact keys we hold, bearer
 * tokens, and key-shaped strings (`sk-…`, `pa-…`) that some services echo back.
 */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out
    .replace(/(Bearer\s+)\S+/gi, '$1[redacted]')
    .replace(/\b(sk|pa)-[A-Za-z0-9_*-]{6,}/g, '$1-[redacted]');
}

/** Checks one reply vector and scales it to unit length in float32. */
export function toUnitVector(values: unknown, dimensions: number, provider: string): Float32Array {
  if (!Array.isArray(values) || values.length !== dimensions) {
    const got = Array.isArray(values) ? `${values.length} numbers` : typeof values;
    throw new EmbeddingResponseError(
      `${provider} returned a vector of ${got}, expected ${dimensions} numbers`,
    );
  }
  const vector = new Float32Array(dimensions);
  let squares = 0;
  for (const [i, value] of values.entries()) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new EmbeddingResponseError(`${provider} returned a vector with a non-number`);
    }
    vector[i] = value;
    squares += value * value;
  }
  if (squares === 0) throw new EmbeddingResponseError(`${provider} returned a zero vector`);
  const inverse = 1 / Math.sqrt(squares);
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * inverse;
  return vector;
}

export interface BatchReply {
  /** One raw vector per text sent, in the order sent. */
  readonly vectors: readonly unknown[];
  /** Tokens the provider counted, when it says. */
  readonly tokens?: number | undefined;
}

export interface ApiEmbedderSpec {
  /** Cache key prefix: provider, model and dimensions. */
  readonly id: string;
  readonly dimensions: number;
  /** Provider name for messages, e.g. "Voyage". */
  readonly provider: string;
  readonly limits: BatchLimits;
  readonly retry?: RetryOptions | undefined;
  /** Strings that must never reach a message (the API key). */
  readonly secrets?: readonly string[];
  /** One request for `texts`; throws errors carrying `status` (and `headers`) on HTTP failure. */
  readonly send: (texts: string[]) => Promise<BatchReply>;
  readonly close?: () => Promise<void>;
}

/** An `Embedder` over a remote API; vectors are cached per text by `CachedEmbedder`, not here. */
export class ApiEmbedder implements Embedder {
  readonly id: string;
  readonly dimensions: number;
  /** Requests that succeeded and the tokens the provider reported, for run records. */
  readonly usage = { requests: 0, tokens: 0 };
  readonly #spec: ApiEmbedderSpec;

  constructor(spec: ApiEmbedderSpec) {
    this.#spec = spec;
    this.id = spec.id;
    this.dimensions = spec.dimensions;
  }

  async embed(
    texts: readonly string[],
    onProgress?: (done: number) => void,
  ): Promise<Float32Array[]> {
    const { limits } = this.#spec;
    const prepared = texts.map((text) => prepareText(text, limits));
    const batches = planBatches(prepared.map(estimateTokens), limits);
    const vectors = new Array<Float32Array>(texts.length);
    const limit = pLimit(limits.concurrency);
    let done = 0;
    const run = async (batch: number[]): Promise<void> => {
      try {
        const result = await this.#embedBatch(batch.map((i) => prepared[i] as string));
        for (const [k, index] of batch.entries()) vectors[index] = result[k] as Float32Array;
        done += batch.length;
        onProgress?.(done);
      } catch (error) {
        // One failed batch fails the call; do not start the rest.
        limit.clearQueue();
        throw error;
      }
    };
    await Promise.all(batches.map((batch) => limit(() => run(batch))));
    return vectors;
  }

  /** Releases connections; a later `embed` opens new ones, as the offline embedders do. */
  async close(): Promise<void> {
    await this.#spec.close?.();
  }

  async #embedBatch(texts: string[]): Promise<Float32Array[]> {
    const { provider, dimensions } = this.#spec;
    let reply: BatchReply;
    try {
      reply = await withRetry(() => this.#spec.send(texts), this.#spec.retry);
    } catch (error) {
      // 413: the server's limit is below our plan (a proxy, or text our estimate undercounts).
      if (errorStatus(error) === 413 && texts.length > 1) {
        const half = Math.ceil(texts.length / 2);
        const first = await this.#embedBatch(texts.slice(0, half));
        return [...first, ...(await this.#embedBatch(texts.slice(half)))];
      }
      throw this.#wrap(error);
    }
    if (reply.vectors.length !== texts.length) {
      throw new EmbeddingResponseError(
        `${provider} returned ${reply.vectors.length} vectors for ${texts.length} texts`,
      );
    }
    this.usage.requests++;
    this.usage.tokens += reply.tokens ?? 0;
    return reply.vectors.map((values) => toUnitVector(values, dimensions, provider));
  }

  #wrap(error: unknown): ClioError {
    if (error instanceof ClioError) return error;
    const e = error as { message?: unknown; cause?: { code?: unknown; message?: unknown } };
    let what = typeof e?.message === 'string' ? e.message : String(error);
    // fetch says only "fetch failed"; the reason (refused, DNS, timeout) is in its cause.
    const reason = e?.cause?.message ?? e?.cause?.code;
    if (typeof reason === 'string' && reason !== '') what += ` (${reason})`;
    return new EmbeddingApiError(
      `${this.#spec.provider} embeddings request failed: ${redact(what, this.#spec.secrets)}`,
      { provider: this.#spec.provider, status: errorStatus(error), cause: error },
    );
  }
}
