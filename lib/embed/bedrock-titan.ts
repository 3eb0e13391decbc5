import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
  InvokeModelCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { errorStatus, type RetryOptions } from '../util/retry.js';
import {
  ApiEmbedder,
  type BatchLimits,
  type BatchReply,
  EmbedderSetupError,
  EmbeddingApiError,
  EmbeddingResponseError,
  redact,
} from './api-batching.js';

export const TITAN_V2_MODEL = 'amazon.titan-embed-text-v2:0';
export const TITAN_V2_DIMENSIONS = [256, 512, 1024] as const;
const DEFAULT_DIMENSIONS = 1024;
const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Titan v2 embeds one text per InvokeModel, so requests run 8 at a time instead of batched.
 * Its input limit is 8,192 tokens and 50,000 characters; texts are cut to both (tokens by our
 * upper estimate) rather than refused by the service.
 */
export const TITAN_V2_LIMITS: BatchLimits = {
  maxTexts: 1,
  maxTokens: 8192,
  maxTextTokens: 8192,
  maxTextChars: 50_000,
  concurrency: 8,
};

export interface BedrockTitanOptions {
  /** Default `amazon.titan-embed-text-v2:0`; an inference-profile id or an ARN also works. */
  readonly model?: string | undefined;
  /** 256, 512 or 1024 (default). */
  readonly dimensions?: number | undefined;
  /** Default: the SDK's chain (`AWS_REGION`, then the profile's region). */
  readonly region?: string | undefined;
  /** Overrides the regional endpoint, e.g. a VPC endpoint. */
  readonly endpoint?: string | undefined;
  /** Default: the SDK's default chain (env, profile, SSO, container or instance role). */
  readonly credentials?: BedrockRuntimeClientConfig['credentials'];
  /** Per request. Default 60 s. */
  readonly timeoutMs?: number | undefined;
  readonly retry?: RetryOptions | undefined;
  readonly limits?: Partial<BatchLimits> | undefined;
}

function checkModel(model: string): void {
  // The request body is Titan v2's; v1 and other vendors' models take different bodies.
  if (/titan-embed-text-v2/.test(model) || model.startsWith('arn:')) return;
  throw new EmbedderSetupError(
    `embedder.model "${model}" is not supported for provider "bedrock"; use "${TITAN_V2_MODEL}"`,
  );
}

function checkDimensions(dimensions: number): void {
  if ((TITAN_V2_DIMENSIONS as readonly number[]).includes(dimensions)) return;
  throw new EmbedderSetupError(
    `embedder.dimensions for Bedrock Titan v2 must be 256, 512 or 1024, got ${dimensions}`,
  );
}

/** An SDK failure as our error: HTTP failures keep status and headers for `withRetry`. */
function fromSdkError(error: unknown, model: string): unknown {
  const e = error as {
    name?: unknown;
    message?: unknown;
    $response?: { headers?: Record<string, string> };
  };
  const name = typeof e?.name === 'string' ? e.name : 'Error';
  const message = redact(typeof e?.message === 'string' ? e.message : String(error));
  if (name === 'CredentialsProviderError') {
    return new EmbedderSetupError(
      'Bedrock found no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ' +
        `or AWS_PROFILE, or run with an IAM role (${message})`,
      { cause: error },
    );
  }
  if (/region is missing/i.test(message)) {
    return new EmbedderSetupError('Bedrock needs a region: set embedder.region or AWS_REGION', {
      cause: error,
    });
  }
  const status = errorStatus(error);
  // No status: a dropped connection or timeout; `isRetryable` judges the original.
  if (status === undefined) return error;
  const hint =
    status === 403
      ? ' (check the AWS credentials and that the model is enabled in the region)'
      : '';
  return new EmbeddingApiError(
    `Bedrock InvokeModel ${model} failed with HTTP ${status} ${name}${hint}: ${message}`,
    { provider: 'Bedrock', status, headers: e.$response?.headers, cause: error },
  );
}

/**
 * Amazon Titan Text Embeddings v2 through Bedrock's InvokeModel. The SDK's own retries are off
 * (`maxAttempts: 1`) so that `withRetry` is the only retry layer and attempts do not multiply.
 */
export class BedrockTitanEmbedder extends ApiEmbedder {
  readonly model: string;

  constructor(options: BedrockTitanOptions = {}) {
    const model = options.model ?? TITAN_V2_MODEL;
    const dimensions = options.dimensions ?? DEFAULT_DIMENSIONS;
    checkModel(model);
    checkDimensions(dimensions);
    // Made on first use and dropped by close(), so a closed embedder can be used again.
    let client: BedrockRuntimeClient | undefined;
    const connect = () =>
      new BedrockRuntimeClient({
        region: options.region,
        endpoint: options.endpoint,
        credentials: options.credentials,
        maxAttempts: 1,
        // The SDK's own default for this client, plus a timeout so a stuck stream cannot hang.
        requestHandler: {
          requestTimeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          disableConcurrentStreams: true,
        },
      });
    const send = async (texts: string[]): Promise<BatchReply> => {
      client ??= connect();
      const c = client;
      const replies = await Promise.all(texts.map((text) => invoke(c, model, dimensions, text)));
      return {
        vectors: replies.map((r) => r.embedding),
        tokens: replies.reduce((sum, r) => sum + r.tokens, 0),
      };
    };
    super({
      id: `bedrock/${model}/${dimensions}`,
      dimensions,
      provider: 'Bedrock',
      limits: { ...TITAN_V2_LIMITS, ...options.limits },
      retry: options.retry,
      send,
      close: async () => {
        client?.destroy();
        client = undefined;
      },
    });
    this.model = model;
  }
}

async function invoke(
  client: BedrockRuntimeClient,
  model: string,
  dimensions: number,
  text: string,
): Promise<{ embedding: unknown; tokens: number }> {
  let body: Uint8Array;
  try {
    const response = await client.send(
      new InvokeModelCommand({
        modelId: model,
        contentType: 'application/json',
        accept: 'application/json',
        body: JSON.stringify({ inputText: text, dimensions, normalize: true }),
      }),
    );
    body = response.body;
  } catch (error) {
    throw fromSdkError(error, model);
  }
  try {
    const parsed = JSON.parse(new TextDecoder().decode(body)) as {
      embedding?: unknown;
      inputTextTokenCount?: unknown;
    };
    const tokens = parsed.inputTextTokenCount;
    return { embedding: parsed.embedding, tokens: typeof tokens === 'number' ? tokens : 0 };
  } catch (error) {
    throw new EmbeddingResponseError(`Bedrock ${model} returned a reply that is not JSON`, {
      cause: error,
    });
  }
}
