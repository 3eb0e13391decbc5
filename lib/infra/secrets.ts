import { RemovalPolicy, SecretValue, Stack } from 'aws-cdk-lib';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { SECRET_PLACEHOLDER } from '../../lambdas/contract.js';
import { acknowledge } from './nag.js';

/** The API keys a deployment may use, by the environment variable the SDKs read them from. */
export const API_KEYS = {
  ANTHROPIC_API_KEY: 'Anthropic API key (llm.provider "anthropic", or "auto")',
  LANGSMITH_API_KEY: 'LangSmith API key (dataset_name / project_name sources)',
} as const;
export type ApiKeyName = keyof typeof API_KEYS;

export interface ClioSecretsProps {
  /**
   * Names of existing Secrets Manager secrets to use instead of creating them, by key. A secret's
   * value is the key itself (a plain string).
   * @default {} (every key gets a new secret holding a placeholder until an operator sets it)
   */
  readonly existing?: Partial<Record<ApiKeyName, string>>;
  /**
   * ARN of the customer-managed key the `existing` secrets are encrypted with: readers then
   * get kms:Decrypt on it (through Secrets Manager only).
   * @default AWS's own key (aws/secretsmanager), which needs no grant
   */
  readonly existingKeyArn?: string;
  /**
   * Customer-managed key of the secrets the stack creates.
   * @default AWS's own key (aws/secretsmanager)
   */
  readonly encryptionKey?: IKey;
  /**
   * Keep the created secrets when the stack is deleted.
   * @default true
   */
  readonly retainData?: boolean;
}

/**
 * Secrets Manager secrets for the API keys. Functions read them at run time (granted one by
 * one), so keys are never in the template, the environment or the logs; Bedrock needs none.
 */
export class ClioSecrets extends Construct {
  readonly apiKeys: Readonly<Record<ApiKeyName, ISecret>>;
  /** The key of the existing secrets; CDK does not know it, as it imports them by name. */
  readonly #existingKeyArn: string | undefined;
  readonly #existing: Partial<Record<ApiKeyName, string>>;

  constructor(scope: Construct, id: string, props: ClioSecretsProps = {}) {
    super(scope, id);
    const existing = props.existing ?? {};
    this.#existing = existing;
    this.#existingKeyArn = props.existingKeyArn;
    for (const [name, secretName] of Object.entries(existing)) {
      if (!(name in API_KEYS))
        throw new Error(
          `ClioSecrets: unknown key "${name}" in existing; expected one of ${Object.keys(API_KEYS).join(', ')}`,
        );
      if (!secretName?.trim())
        throw new Error(`ClioSecrets: existing.${name} must be a non-empty secret name`);
    }
    const make = (name: ApiKeyName, construct: string): ISecret => {
      const secretName = existing[name];
      if (secretName) return Secret.fromSecretNameV2(this, construct, secretName);
      const secret = new Secret(this, construct, {
        description: `OpenCLIO ${API_KEYS[name]}. Set the value to the key itself.`,
        // A fixed placeholder, not a generated value: a key cannot be generated, and the
        // functions recognise the placeholder as "not set yet".
        secretStringValue: SecretValue.unsafePlainText(SECRET_PLACEHOLDER),
        ...(props.encryptionKey ? { encryptionKey: props.encryptionKey } : {}),
        removalPolicy: props.retainData === false ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      });
      acknowledge(
        secret,
        'AwsSolutions-SMG4',
        'A third-party API key (Anthropic, LangSmith) cannot be rotated by a Secrets Manager rotation function; rotate it at the provider and put the new value.',
      );
      return secret;
    };
    this.apiKeys = {
      ANTHROPIC_API_KEY: make('ANTHROPIC_API_KEY', 'AnthropicApiKey'),
      LANGSMITH_API_KEY: make('LANGSMITH_API_KEY', 'LangSmithApiKey'),
    };
  }

  /** Read access to one key's secret, including its customer-managed key when it has one. */
  grantRead(name: ApiKeyName, grantee: IGrantable): void {
    this.apiKeys[name].grantRead(grantee);
    // On the reader's own policy: CDK's grant on an imported key goes to the key's policy,
    // which the stack cannot edit, and would be dropped without a word.
    if (this.#existing[name] && this.#existingKeyArn)
      Grant.addToPrincipal({
        grantee,
        actions: ['kms:Decrypt'],
        resourceArns: [this.#existingKeyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com`,
          },
        },
      });
  }
}
