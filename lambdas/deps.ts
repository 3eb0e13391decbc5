import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import type { ClioConfig } from '../lib/config/schema.js';
import type { StagedDeps } from '../lib/pipeline/staged/index.js';
import { createEmbedder, createLedger, createLlm, createSummaryBatches } from '../lib/providers.js';
import { DynamoBudgetAccount } from '../lib/store/dynamo-budget.js';
import { TriggerClaims } from '../lib/store/dynamo-claims.js';
import { DynamoHierarchy } from '../lib/store/dynamo-hierarchy.js';
import { INTERMEDIATE_TAG, S3Store } from '../lib/store/s3-store.js';
import type { Store } from '../lib/store/types.js';
import { ENV, SECRET_PLACEHOLDER, SITE_DATA } from './contract.js';
import { allowedBaseUrls, checkBaseUrls } from './egress.js';
import { EnvError, jsonEnv, optionalEnv, positiveIntEnv, requiredEnv } from './env.js';
import { publishRun } from './publish.js';
import { tracer } from './telemetry.js';
import { snsTrendAlerts } from './trend-alerts.js';

type Env = Record<string, string | undefined>;

/** The staged pipeline's deps, plus the run table for what only the adapters do. */
export interface LambdaDeps extends StagedDeps {
  readonly runs?: DynamoHierarchy;
  /** Trigger claims and which run each execution created. */
  readonly claims?: TriggerClaims;
}

export interface AwsClients {
  readonly s3: S3Client;
  readonly dynamo: DynamoDBDocumentClient;
  readonly secrets: SecretsManagerClient;
  /** Only Finalize publishes (trend alerts); made on first use where absent. */
  readonly sns?: SNSClient;
}

/**
 * The SDK clients, each call a subsegment of the step's trace (the document client through the
 * DynamoDB client it wraps). Returned unchanged where tracing is off.
 */
export function defaultClients(): AwsClients {
  return {
    s3: tracer.captureAWSv3Client(new S3Client({})),
    dynamo: DynamoDBDocumentClient.from(tracer.captureAWSv3Client(new DynamoDBClient({})), {
      marshallOptions: { removeUndefinedValues: true },
    }),
    secrets: tracer.captureAWSv3Client(new SecretsManagerClient({})),
    sns: tracer.captureAWSv3Client(new SNSClient({})),
  };
}

/** Item batches, summaries, per-batch caches and levels: only needed while the run is going. */
const INTERMEDIATE_KEY = /^runs\/[^/]+\/(items|summaries|embeddings|cache|levels|batches)\//;
const intermediateTags = (key: string) =>
  INTERMEDIATE_KEY.test(key) ? { [INTERMEDIATE_TAG.key]: INTERMEDIATE_TAG.value } : undefined;

const secretArns = z.record(z.string(), z.string().min(1));
// AWS_* would let a secret replace the function's own credentials or region.
const settableVariable = (name: string) =>
  /^[A-Z][A-Z0-9_]*$/.test(name) && !name.startsWith('AWS_');

/**
 * Puts each configured secret into the environment variable the SDKs read (`ANTHROPIC_API_KEY`,
 * `LANGSMITH_API_KEY`). A secret still holding the stack's placeholder is left unset, so `auto`
 * providers fall back to offline and explicit ones fail with their own "no key" message.
 * Returns the variables that were set; values are never logged.
 */
export async function loadSecrets(env: Env, client: SecretsManagerClient): Promise<string[]> {
  const arns = jsonEnv(ENV.secretArns, secretArns, env) ?? {};
  for (const name of Object.keys(arns))
    if (!settableVariable(name))
      throw new EnvError(
        `${ENV.secretArns}: "${name}" is not a variable a secret may set (A-Z, 0-9, _, not AWS_*)`,
      );
  const loaded: string[] = [];
  await Promise.all(
    Object.entries(arns).map(async ([name, SecretId]) => {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId }));
      const value = SecretString?.trim();
      if (!value || value === SECRET_PLACEHOLDER) return;
      env[name] = value;
      loaded.push(name);
    }),
  );
  return loaded.sort();
}

/** Functions that do not read uploaded configs get no access to that bucket, and say so. */
function unavailableStore(what: string): Store {
  const fail = async (): Promise<never> => {
    throw new EnvError(`${what} is not available to this function (${ENV.configsBucket} unset)`);
  };
  return { location: `(${what}: not available)`, read: fail, write: fail };
}

/** Builds the deps from the function's environment: the stack sets only what it granted. */
export async function buildDeps(env: Env, clients: AwsClients): Promise<LambdaDeps> {
  await loadSecrets(env, clients.secrets);
  // Checked wherever a model client is made, so no step sends data to an endpoint the
  // deployment did not allow, whichever step reads the config first.
  const allowed = allowedBaseUrls(env);
  const guard = (config: ClioConfig) => checkBaseUrls(config, allowed);
  const artifacts = new S3Store({
    client: clients.s3,
    bucket: requiredEnv(ENV.artifactsBucket, env),
    tagsFor: intermediateTags,
  });
  const configsBucket = optionalEnv(ENV.configsBucket, env);
  const tableName = optionalEnv(ENV.tableName, env);
  const siteBucket = optionalEnv(ENV.siteBucket, env);
  const runs = tableName ? new DynamoHierarchy({ client: clients.dynamo, tableName }) : undefined;
  const claims = tableName ? new TriggerClaims({ client: clients.dynamo, tableName }) : undefined;
  const site = siteBucket
    ? new S3Store({ client: clients.s3, bucket: siteBucket, prefix: SITE_DATA.prefix })
    : undefined;
  const trendAlerts = snsTrendAlerts(env, clients.sns ?? new SNSClient({}));
  return {
    artifacts,
    configs: configsBucket
      ? new S3Store({ client: clients.s3, bucket: configsBucket })
      : unavailableStore('the configs bucket'),
    createEmbedder: (config) => {
      guard(config);
      return createEmbedder(config);
    },
    // A placeholder secret is a setup mistake here, not a request for the offline provider.
    // One budget for all the Lambdas of a run: an item in the run table.
    createLlm: (config, embedder, run) => {
      guard(config);
      return createLlm(
        config,
        embedder,
        env,
        createLedger(
          config,
          run && tableName
            ? new DynamoBudgetAccount({ client: clients.dynamo, tableName, runId: run.runId })
            : undefined,
        ),
        {
          noKeyForAuto: `set the ANTHROPIC_API_KEY secret of the stack (aws secretsmanager put-secret-value --secret-id <AnthropicSecretArn> ...)`,
        },
      );
    },
    batchSize: positiveIntEnv(ENV.batchSize, 100, env),
    // Message Batches: submitted by a Summarize step, then polled by its retries (BatchPending).
    createSummaryBatches: (config, llm) => createSummaryBatches(config, llm, env),
    waitForBatchResults: false,
    ...(runs ? { runs, runIndex: runs } : {}),
    ...(trendAlerts ? { trendAlerts } : {}),
    ...(claims ? { claims } : {}),
    ...(site && runs
      ? {
          publish: async (doc, history) => {
            await publishRun(doc, { site, runs, history });
          },
        }
      : {}),
  };
}

/** How long a container trusts the secrets it read: a key set or rotated is picked up after this. */
export const DEPS_TTL_MS = 5 * 60_000;
let cached: { readonly deps: Promise<LambdaDeps>; readonly at: number } | undefined;

/**
 * Built once per container and rebuilt after `DEPS_TTL_MS`, so a warm container does not keep
 * running with a placeholder (offline) after the operator set the key. A failed build (a
 * secret not readable yet) is retried on the next invocation.
 */
export function getDeps(now = Date.now()): Promise<LambdaDeps> {
  if (!cached || now - cached.at > DEPS_TTL_MS) {
    const deps = buildDeps(process.env, defaultClients()).catch((error: unknown) => {
      cached = undefined;
      throw error;
    });
    cached = { deps, at: now };
  }
  return cached.deps;
}
