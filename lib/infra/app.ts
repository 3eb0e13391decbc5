import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CLOUDFRONT_WAF_REGION, ExplorerAclStack } from './access.js';
import type { DeployConfig } from './config.js';
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
      acl = new ExplorerAclStack(app, `${config.stackName}-ExplorerAcl`, {
        env: { region: CLOUDFRONT_WAF_REGION, ...(account ? { account } : {}) },
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
    explorer,
    ...(explorerOptions.domain ? { explorerDomain: explorerOptions.domain } : {}),
    ...(explorerOptions.viewerDist ? { viewerDist: explorerOptions.viewerDist } : {}),
    ...(explorerOptions.contentSecurityPolicy
      ? { contentSecurityPolicy: explorerOptions.contentSecurityPolicy }
      : {}),
    schedules: config.schedules,
    ...pick(config, [
      'summarizeConcurrency',
      'toleratedFailurePercentage',
      'batchSize',
      'alarmEmail',
      'existingSecrets',
      'bedrockModelIds',
      'memoryMiB',
      'retainData',
      'intermediateRetentionDays',
    ]),
  });
  Tags.of(app).add('project', 'open-clio');
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
