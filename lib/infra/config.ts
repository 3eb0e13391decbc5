import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The deploy-time configuration: what a platform team sets per account, in a JSON file given
 * with `cdk deploy -c config=deploy.json`, or as the `openClio` context (cdk.json or
 * `-c openClio='{"...": ...}'`). Shapes are checked here; ranges and combinations by the
 * constructs, which own them.
 */
const schedule = z.strictObject({
  name: z.string(),
  configKey: z.string(),
  expression: z.string(),
  windowHours: z.number().optional(),
  timeZone: z.string().optional(),
  enabled: z.boolean().optional(),
});

const explorer = z.strictObject({
  allowedCidrs: z.array(z.string()).optional(),
  webAclArn: z.string().optional(),
  public: z.boolean().optional(),
  domain: z.strictObject({ names: z.array(z.string()), certificateArn: z.string() }).optional(),
  viewerDist: z.string().optional(),
  contentSecurityPolicy: z.string().optional(),
});

export const deployConfigSchema = z.strictObject({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,100}$/, 'a CloudFormation stack name (letters, digits, "-")')
    .default('OpenClio'),
  account: z
    .string()
    .regex(/^\d{12}$/, 'a 12-digit AWS account id')
    .optional(),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-west-1')
    .optional(),
  explorer: z.union([z.literal(false), explorer], {
    error: 'false, or {"allowedCidrs": [...]} | {"webAclArn": "..."} | {"public": true}',
  }),
  summarizeConcurrency: z.number().optional(),
  toleratedFailurePercentage: z.number().optional(),
  batchSize: z.number().optional(),
  schedules: z.array(schedule).default([]),
  alarmEmail: z.string().optional(),
  existingSecrets: z
    .strictObject({
      ANTHROPIC_API_KEY: z.string().optional(),
      LANGSMITH_API_KEY: z.string().optional(),
    })
    .optional(),
  bedrockModelIds: z.array(z.string()).optional(),
  memoryMiB: z
    .strictObject({
      prepare: z.number().optional(),
      summarizeBatch: z.number().optional(),
      clusterLevel: z.number().optional(),
      finalize: z.number().optional(),
      markFailed: z.number().optional(),
    })
    .optional(),
  retainData: z.boolean().optional(),
  intermediateRetentionDays: z.number().optional(),
});

export type DeployConfig = z.infer<typeof deployConfigSchema>;

export class DeployConfigError extends Error {
  override name = 'DeployConfigError';
}

export function parseDeployConfig(raw: unknown, source: string): DeployConfig {
  const parsed = deployConfigSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map(
    (issue) => `  ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
  );
  throw new DeployConfigError(`invalid deploy config (${source}):\n${problems.join('\n')}`);
}

/** Where the context holds the configuration: the `config` file, else the `openClio` value. */
export function readDeployConfig(
  context: (key: string) => unknown,
  cwd = process.cwd(),
): DeployConfig {
  const file = context('config');
  if (typeof file === 'string' && file !== '') {
    const path = resolve(cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new DeployConfigError(`cannot read deploy config ${path}: ${(error as Error).message}`);
    }
    try {
      return parseDeployConfig(JSON.parse(text), path);
    } catch (error) {
      if (error instanceof DeployConfigError) throw error;
      throw new DeployConfigError(
        `deploy config ${path} is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  const inline = context('openClio');
  if (inline === undefined)
    throw new DeployConfigError(
      'no deploy config: pass -c config=deploy.json or set the "openClio" context in cdk.json',
    );
  if (typeof inline === 'string') {
    try {
      return parseDeployConfig(JSON.parse(inline), 'context openClio');
    } catch (error) {
      if (error instanceof DeployConfigError) throw error;
      throw new DeployConfigError(
        `context openClio is not valid JSON: ${(error as Error).message}`,
      );
    }
  }
  return parseDeployConfig(inline, 'context openClio');
}
