/**
 * OpenAI's embeddings API and the many servers that copy its wire format (vLLM, Ollama,
 * LiteLLM, …). Voyage speaks a near-copy of it too, so the HTTP exchange lives here.
 */
import type { RetryOptions } from '../util/retry.js';
import {
  ApiEmbedder,
  type BatchLimits,
  type BatchReply,
  EmbedderSetupError,
  EmbeddingApiError,
  EmbeddingResponseError,
  redact,
} from './api-batching.js';

export const OPENAI_DEFAULT_MODEL = 'text-embedding-3-small';
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/** Output sizes of OpenAI's models, so `dimensions` is known before the first request. */
const OPENAI_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** OpenAI's documented limits: 2,048 inputs and 300k tokens a request, 8,191 tokens an input. */
export const OPENAI_LIMITS: BatchLimits = {
  maxTexts: 2048,
  maxTokens: 300_000,
  maxTextTokens: 8191,
  concurrency: 4,
};

const DEFAULT_TIMEOUT_MS = 60_000;

/** Options common to the HTTP embedders (OpenAI-compatible and Voyage). */
export interface HttpEmbedderOptions {
  /** Sent as a bearer token; empty sends none (local servers). */
  readonly apiKey: string;
  readonly model?: string | undefined;
  /** Output size. Required for models whose size is not known here. */
  readonly dimensions?: number | undefined;
  readonly baseUrl?: string | undefined;
  /** Per request. Default 60 s. */
  readonly timeoutMs?: number | undefined;
  readonly retry?: RetryOptions | undefined;
  /** Lower limits for servers stricter than the provider's own API. */
  readonly limits?: Partial<BatchLimits> | undefined;
}

/**
 * The embeddings endpoint for a base URL. By the OpenAI SDK convention a base that ends in a
 * version (`…/v1`) takes `/embeddings`; a bare host takes `/v1/embeddings`; a URL that already
 * ends in `/embeddings` is used as it is. Query strings (e.g. `api-version`) are kept.
 */
export function embeddingsUrl(baseUrl: string): string {
  const url = new URL(baseUrl);
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/embeddings$/.test(path)) url.pathname = path;
  else if (/\/v\d+[a-z0-9.]*$/i.test(path)) url.pathname = `${path}/embeddings`;
  else url.pathname = `${path}/v1/embeddings`;
  return url.toString();
}

/** The model's output size: as configured, else as known, else a setup error. */
export function resolveDimensions(
  model: string,
  configured: number | undefined,
  known: Readonly<Record<string, number>>,
  provider: string,
): number {
  const dimensions = configured ?? known[model];
  if (dimensions === undefined) {
    throw new EmbedderSetupError(
      `${provider} model "${model}" has no known output size; set embedder.dimensions`,
    );
  }
  return dimensions;
}

export interface EmbeddingsPost {
  readonly url: string;
  readonly apiKey: string;
  readonly texts: readonly string[];
  /** The request body besides `input`. */
  readonly body: Readonly<Record<string, unknown>>;
  readonly provider: string;
  /** Where the key comes from, named when the server refuses it (e.g. "VOYAGE_API_KEY"). */
  readonly keyName: string;
  readonly timeoutMs?: number | undefined;
}

/** The useful part of an error body: OpenAI's `{error: {message}}`, Voyage's `{detail}`, or text. */
function errorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown } | string;
      detail?: unknown;
      message?: unknown;
    };
    const error = parsed.error;
    const detail =
      (typeof error === 'string' ? error : error?.message) ?? parsed.detail ?? parsed.message;
    if (typeof detail === 'string') return detail;
    if (detail !== undefined) return JSON.stringify(detail);
  } catch {
    // Not JSON: a proxy's HTML or plain text; the start of it is still the best clue.
  }
  return body.replace(/\s+/g, ' ').trim().slice(0, 300);
}

function statusHint(status: number, keyName: string): string {
  if (status === 401 || status === 403) return ` (check ${keyName})`;
  if (status === 404) return ' (check embedder.base_url and embedder.model)';
  return '';
}

/**
 * One `POST …/embeddings` with the texts as `input`; returns the vectors in input order (the
 * reply's `index` says which is which). An HTTP failure throws `EmbeddingApiError` with the
 * status and headers, so `withRetry` can decide and honour `retry-after`.
 */
export async function postEmbeddings(post: EmbeddingsPost): Promise<BatchReply> {
  const response = await fetch(post.url, {
    method: 'POST',
    headers: {
      ...(post.apiKey ? { authorization: `Bearer ${post.apiKey}` } : {}),
      'content-type': 'application/json',
      accept: 'application/json',
    },
    body: JSON.stringify({ input: post.texts, ...post.body }),
    signal: AbortSignal.timeout(post.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const text = await response.text();
  if (!response.ok) {
    const detail = redact(errorDetail(text), [post.apiKey]).slice(0, 500);
    throw new EmbeddingApiError(
      `${post.provider} embeddings request failed with HTTP ${response.status}` +
        `${statusHint(response.status, post.keyName)}: ${detail}`,
      { provider: post.provider, status: response.status, headers: response.headers },
    );
  }
  let data: unknown;
  let tokens: unknown;
  try {
    const parsed = JSON.parse(text) as { data?: unknown; usage?: { total_tokens?: unknown } };
    data = parsed.data;
    tokens = parsed.usage?.total_tokens;
  } catch (error) {
    throw new EmbeddingResponseError(`${post.provider} returned a reply that is not JSON`, {
      cause: error,
    });
  }
  const count = post.texts.length;
  if (!Array.isArray(data) || data.length !== count) {
    const got = Array.isArray(data) ? data.length : 'no';
    throw new EmbeddingResponseError(`${post.provider} returned ${got} embeddings for ${count}`);
  }
  const vectors = new Array<unknown>(count);
  for (const item of data as { index?: unknown; embedding?: unknown }[]) {
    const index = item?.index;
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= count) {
      throw new EmbeddingResponseError(`${post.provider} returned an embedding with a bad index`);
    }
    if (vectors[index as number] !== undefined) {
      throw new EmbeddingResponseError(`${post.provider} returned index ${index} twice`);
    }
    vectors[index as number] = item.embedding;
  }
  return { vectors, tokens: typeof tokens === 'number' ? tokens : undefined };
}

/**
 * Embeddings from OpenAI or an OpenAI-compatible server (`base_url`). `dimensions` is sent only
 * to the text-embedding-3 models, the OpenAI models that accept it; other models reject it
 * (ada-002, many local servers), so for them the configured size is what the model returns and
 * is checked against every reply. Requests to a server other than OpenAI's carry its host in the
 * id, since the same model name elsewhere need not be the same model.
 */
export class OpenAiCompatibleEmbedder extends ApiEmbedder {
  readonly model: string;
  readonly url: string;

  constructor(options: HttpEmbedderOptions) {
    const model = options.model ?? OPENAI_DEFAULT_MODEL;
    const base = new URL(options.baseUrl ?? OPENAI_DEFAULT_BASE_URL);
    const official = base.hostname === 'api.openai.com';
    const provider = official ? 'OpenAI' : `OpenAI-compatible server ${base.host}`;
    const dimensions = resolveDimensions(model, options.dimensions, OPENAI_DIMENSIONS, provider);
    const url = embeddingsUrl(base.toString());
    const body: Record<string, unknown> = { model };
    if (options.dimensions !== undefined && model.startsWith('text-embedding-3')) {
      body.dimensions = options.dimensions;
    }
    const { apiKey, timeoutMs } = options;
    super({
      id: `openai${official ? '' : `@${base.host}`}/${model}/${dimensions}`,
      dimensions,
      provider,
      limits: { ...OPENAI_LIMITS, ...options.limits },
      retry: options.retry,
      secrets: [apiKey],
      send: (texts) =>
        postEmbeddings({
          url,
          apiKey,
          texts,
          body,
          provider,
          keyName: 'OPENAI_API_KEY',
          timeoutMs,
        }),
    });
    this.model = model;
    this.url = url;
  }
}
