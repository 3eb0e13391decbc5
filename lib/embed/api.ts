import type { EmbedderConfig } from '../config/index.js';
import type { RetryOptions } from '../util/retry.js';
import { type ApiEmbedder, EmbedderSetupError } from './api-batching.js';
import { BedrockTitanEmbedder } from './bedrock-titan.js';
import { OpenAiCompatibleEmbedder } from './openai-compatible.js';
import { VoyageEmbedder } from './voyage.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** Settings that are not in the config file: retry policy (and its logging), request timeout. */
export interface ApiEmbedderOverrides {
  readonly retry?: RetryOptions | undefined;
  readonly timeoutMs?: number | undefined;
}

function requireKey(env: Env, name: string, provider: string): string {
  const key = env[name]?.trim();
  if (!key) {
    throw new EmbedderSetupError(
      `embedder.provider "${provider}" needs an API key: set the ${name} environment variable`,
    );
  }
  return key;
}

/**
 * Static keys when `env` holds them; otherwise undefined, which leaves the SDK's default chain
 * (profile, SSO, container or instance role). For `process.env` this is what the chain would
 * pick first anyway; for another `env` it makes that env the one that counts.
 */
function awsCredentials(env: Env) {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/**
 * The API embedder the `embedder` config section asks for. Keys come from `env`
 * (`VOYAGE_API_KEY`, `OPENAI_API_KEY`) and a missing one fails here, before any paid work (an
 * OpenAI-compatible server at another `base_url` may go without one); AWS
 * credentials come from `env` or the SDK's default chain and are checked on the first request.
 * `base_url` is the endpoint override for Bedrock and the API base for the others (OpenAI also
 * takes `OPENAI_BASE_URL`, as its SDK does). Wrap the result in `CachedEmbedder`.
 */
export function createApiEmbedder(
  config: EmbedderConfig,
  env: Env = process.env,
  overrides: ApiEmbedderOverrides = {},
): ApiEmbedder {
  const { model, dimensions } = config;
  switch (config.provider) {
    case 'bedrock':
      return new BedrockTitanEmbedder({
        model,
        dimensions,
        region: config.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined),
        endpoint: config.base_url,
        credentials: awsCredentials(env),
        ...overrides,
      });
    case 'voyage':
      return new VoyageEmbedder({
        apiKey: requireKey(env, 'VOYAGE_API_KEY', 'voyage'),
        model,
        dimensions,
        baseUrl: config.base_url,
        ...overrides,
      });
    case 'openai': {
      const baseUrl = config.base_url ?? (env.OPENAI_BASE_URL || undefined);
      // Local servers (Ollama, vLLM) usually take no key; OpenAI itself always needs one.
      const needsKey = baseUrl === undefined || new URL(baseUrl).hostname === 'api.openai.com';
      return new OpenAiCompatibleEmbedder({
        apiKey: needsKey
          ? requireKey(env, 'OPENAI_API_KEY', 'openai')
          : (env.OPENAI_API_KEY?.trim() ?? ''),
        model,
        dimensions,
        baseUrl,
        ...overrides,
      });
    }
    default:
      throw new EmbedderSetupError(
        `embedder.provider "${config.provider}" is not an API embedder; use "bedrock", "voyage" or "openai"`,
      );
  }
}
