import { type App, type Environment, type Stack, Tags, Validations } from 'aws-cdk-lib';
import { ManagedPolicy, PermissionsBoundary } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CLOUDFRONT_WAF_REGION, ExplorerAclStack } from './access.js';
import { type DeployConfig, DeployConfigError } from './config.js';
import type { ExplorerAccess } from './site.js';
import { OpenClioStack } from './stack.js';

export interface OpenClioApp {
  readonly main: OpenClioStack;
  /** The explorer's WAF web ACL, when the main stack is outside us-east-1. */
  readonly acl?: ExplorerAclStack;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The stacks of one deployment, checked by cdk-nag's AwsSolutions rules at every synth (a
 * finding without a written acknowledgement fails `cdk synth` and `cdk deploy`).
 *
 * An IP allow-list needs a WAF web ACL in us-east-1 (CloudFront only attaches those). With
 * the main stack elsewhere, the ACL goes into its own us-east-1 stack and reaches the
 * distribution through a CDK cross-region reference; `cdk deploy --all` deploys both in order.
 */
export function buildApp(app: App, config: DeployConfig, env: Env = process.env): OpenClioApp {
  const account = config.account ?? env.CDK_DEFAULT_ACCOUNT;
  const region = config.region ?? env.CDK_DEFAULT_REGION;
  const stackEnv: Environment | undefined = region
    ? { region, ...(account ? { account } : {}) }
    : undefined;

  const governance = {
    ...(config.terminationProtection !== undefined
      ? { terminationProtection: config.terminationProtection }
      : {}),
  };
  let explorer: ExplorerAccess | false = false;
  let acl: ExplorerAclStack | undefined;
  if (config.explorer !== false) {
    const { domain: _d, viewerDist: _v, contentSecurityPolicy: _c, ...access } = config.explorer;
    explorer = access;
    if (access.allowedCidrs && region !== CLOUDFRONT_WAF_REGION) {
      if (!region)
        throw new Error(
          'explorer.allowedCidrs needs the target region: set "region" in the deploy config (or AWS_REGION / an AWS profile region)',
        );
      if (config.permissionsBoundary)
        throw new DeployConfigError(
          `permissionsBoundary cannot be combined with explorer.allowedCidrs outside ${CLOUDFRONT_WAF_REGION}: the allow-list then reaches the main stack through a CDK cross-region reference, whose helper roles CDK creates without a boundary. Deploy in ${CLOUDFRONT_WAF_REGION}, or create the web ACL there yourself and set explorer.webAclArn instead of allowedCidrs`,
        );
      // Named after the main stack's region too: stacks of the same name in two regions of an
      // account each put their ACL stack into us-east-1.
      acl = new ExplorerAclStack(app, `${config.stackName}-ExplorerAcl-${region}`, {
        env: { region: CLOUDFRONT_WAF_REGION, ...(account ? { account } : {}) },
        ...governance,
        crossRegionReferences: true,
        allowedCidrs: access.allowedCidrs,
        description: 'OpenCLIO explorer IP allow-list (WAF for CloudFront lives in us-east-1)',
      });
      explorer = { webAclArn: acl.webAclArn };
    }
  }

  const explorerOptions = config.explorer === false ? {} : config.explorer;
  const main = new OpenClioStack(app, config.stackName, {
    ...(stackEnv ? { env: stackEnv } : {}),
    ...(acl ? { crossRegionReferences: true } : {}),
    description: 'OpenCLIO: summarize, embed and cluster dataset items into a named hierarchy',
    ...governance,
    explorer,
    ...(explorerOptions.domain ? { explorerDomain: explorerOptions.domain } : {}),
    ...(explorerOptions.viewerDist ? { viewerDist: explorerOptions.viewerDist } : {}),
    ...(explorerOptions.contentSecurityPolicy
      ? { contentSecurityPolicy: explorerOptions.contentSecurityPolicy }
      : {}),
    schedules: config.schedules,
    ...pick(config, [
      'summarizeConcurrency',
      'summarizeReservedConcurrency',
      'toleratedFailurePercentage',
      'batchSize',
      'alarmEmail',
      'trendAlerts',
      'existingSecrets',
      'bedrockModelIds',
      'memoryMiB',
      'retainData',
      'intermediateRetentionDays',
      'allowedBaseUrls',
    ]),
    ...(config.encryption?.key
      ? { encryption: config.encryption.key === 'create' ? {} : { keyArn: config.encryption.key } }
      : {}),
    ...(config.encryption?.existingSecretsKey
      ? { existingSecretsKeyArn: config.encryption.existingSecretsKey }
      : {}),
  });
  if (config.permissionsBoundary)
    for (const stack of [main, ...(acl ? [acl] : [])])
      applyPermissionsBoundary(stack, config.permissionsBoundary);
  Tags.of(app).add('project', 'open-clio');
  for (const [key, value] of Object.entries(config.tags ?? {})) Tags.of(app).add(key, value);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return acl ? { main, acl } : { main };
}

/** The keys of `config` that are set, so an absent one keeps the construct's own default. */
function pick<T extends object, K extends keyof T>(
  config: T,
  keys: readonly K[],
): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (config[key] !== undefined) out[key] = config[key];
  return out;
}

/**
 * Sets a managed policy (ARN, or name in the stack's account) as the permissions boundary of
 * every IAM role of the stack: an aspect, so the roles of CDK's own helpers (bucket deployment,
 * cross-region references) get it too.
 */
function applyPermissionsBoundary(stack: Stack, policy: string): void {
  const boundary = policy.startsWith('arn:')
    ? ManagedPolicy.fromManagedPolicyArn(stack, 'PermissionsBoundary', policy)
    : ManagedPolicy.fromManagedPolicyName(stack, 'PermissionsBoundary', policy);
  PermissionsBoundary.of(stack).apply(boundary);
}
