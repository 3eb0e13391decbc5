import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { type ClaudeProviderOptions, claudeLlmOptions, DEFAULT_TIMEOUT_MS } from './anthropic.js';
import { ClaudeLlm, type ClaudeModels } from './claude.js';

/**
 * Global cross-region inference profiles (the SDK's own example uses
 * `global.anthropic.claude-sonnet-5-5`): they carry the direct API's list price, regional
 * profiles 10 % more. Override with `llm.model` / `llm.naming_model` for a regional profile
 * (`us.`, ...) or a provisioned model ARN.
 */
export const BEDROCK_DEFAULT_MODELS: ClaudeModels = {
  summarize: 'global.anthropic.claude-haiku-5-5',
  naming: 'global.anthropic.claude-sonnet-5-5',
};

export interface BedrockLlmOptions extends ClaudeProviderOptions {
  /** `llm.region`; default `AWS_REGION`, then the SDK's `us-east-1`. */
  readonly region?: string | undefined;
  /**
   * Static credentials; without them the AWS default chain is used (env, profile, SSO, instance
   * role). Tests pass fake ones.
   */
  readonly awsAccessKey?: string | undefined;
  readonly awsSecretKey?: string | undefined;
  readonly awsSessionToken?: string | undefined;
  /** A Bedrock API key (`AWS_BEARER_TOKEN_BEDROCK` by default); `null` forces SigV4. */
  readonly apiKey?: string | null | undefined;
}

export function createBedrockClient(options: BedrockLlmOptions = {}): AnthropicBedrock {
  const region = options.region ?? process.env.AWS_REGION;
  const common = {
    ...(region !== undefined ? { awsRegion: region } : {}),
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    maxRetries: 0,
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const { awsAccessKey, awsSecretKey, awsSessionToken } = options;
  if (awsAccessKey === undefined || awsSecretKey === undefined) return new AnthropicBedrock(common);
  return new AnthropicBedrock({
    ...common,
    awsAccessKey,
    awsSecretKey,
    awsSessionToken: awsSessionToken ?? null,
  });
}

/** Claude on Amazon Bedrock (`bedrock:<summarize model>`): the same provider, another client. */
export function createBedrockLlm(
  options: BedrockLlmOptions = {},
  client: AnthropicBedrock = createBedrockClient(options),
): ClaudeLlm {
  return new ClaudeLlm(
    client,
    claudeLlmOptions('bedrock', options, BEDROCK_DEFAULT_MODELS, [
      options.apiKey ?? undefined,
      options.awsSecretKey,
      options.awsSessionToken,
    ]),
  );
}
