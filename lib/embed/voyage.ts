import { ApiEmbedder, type BatchLimits } from './api-batching.js';
import {
  embeddingsUrl,
  type HttpEmbedderOptions,
  postEmbeddings,
  resolveDimensions,
} from './openai-compatible.js';

export const VOYAGE_DEFAULT_MODEL = 'voyage-3.5';
export const VOYAGE_DEFAULT_BASE_URL = 'https://api.voyageai.com';

/** Default output sizes, so `dimensions` is known before the first request. */
const VOYAGE_DIMENSIONS: Readonly<Record<string, number>> = {
  'voyage-3.5': 1024,
  'voyage-3.5-lite': 1024,
  'voyage-3-large': 1024,
  'voyage-code-3': 1024,
  'voyage-3': 1024,
  'voyage-3-lite': 512,
  'voyage-finance-2': 1024,
  'voyage-law-2': 1024,
  'voyage-multilingual-2': 1024,
  'voyage-2': 1024,
  'voyage-large-2': 1536,
  'voyage-code-2': 1536,
};

/**
 * 1,000 texts a request for every model; 120k tokens is the smallest per-request token limit
 * among Voyage's models, used for all so a model switch never breaks batching (the larger
 * limits of the lite models only cost a few more requests). Texts are cut to the 32k-token
 * context; the API would truncate them anyway, but a cut text cannot blow a batch's budget.
 */
export const VOYAGE_LIMITS: BatchLimits = {
  maxTexts: 1000,
  maxTokens: 120_000,
  maxTextTokens: 32_000,
  concurrency: 4,
};

/**
 * Voyage AI embeddings (`POST /v1/embeddings`) as documents (`input_type: "document"`, which is
 * what the summaries are; Voyage prepends its document prompt). `output_dimension` is sent only
 * when `dimensions` is configured, since older models reject it.
 */
export class VoyageEmbedder extends ApiEmbedder {
  readonly model: string;
  readonly url: string;

  constructor(options: HttpEmbedderOptions) {
    const model = options.model ?? VOYAGE_DEFAULT_MODEL;
    const provider = 'Voyage';
    const dimensions = resolveDimensions(model, options.dimensions, VOYAGE_DIMENSIONS, provider);
    const url = embeddingsUrl(options.baseUrl ?? VOYAGE_DEFAULT_BASE_URL);
    const body: Record<string, unknown> = { model, input_type: 'document' };
    if (options.dimensions !== undefined) body.output_dimension = options.dimensions;
    const { apiKey, timeoutMs } = options;
    super({
      id: `voyage/${model}/${dimensions}`,
      dimensions,
      provider,
      limits: { ...VOYAGE_LIMITS, ...options.limits },
      retry: options.retry,
      secrets: [apiKey],
      send: (texts) =>
        postEmbeddings({
          url,
          apiKey,
          texts,
          body,
          provider,
          keyName: 'VOYAGE_API_KEY',
          timeoutMs,
        }),
    });
    this.model = model;
    this.url = url;
  }
}
