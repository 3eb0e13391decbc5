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

const EXPLORER_CHOICES =
  '{"allowedCidrs": [...]} (WAF IP allow-list), {"webAclArn": "..."} (your CloudFront web ACL), {"public": true} (anyone with the URL), or false (no explorer)';

const explorer = z
  .strictObject({
    allowedCidrs: z.array(z.string()).optional(),
    webAclArn: z.string().optional(),
    public: z.boolean().optional(),
    domain: z.strictObject({ names: z.array(z.string()), certificateArn: z.string() }).optional(),
    viewerDist: z.string().optional(),
    contentSecurityPolicy: z.string().optional(),
  })
  .refine(
    (e) =>
      [e.allowedCidrs !== undefined, e.webAclArn !== undefined, e.public === true].filter(Boolean)
        .length === 1,
    { error: `choose exactly one of ${EXPLORER_CHOICES}` },
  );

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(mrk-)?[0-9a-f-]+$/;
const kmsKeyArn = z
  .string()
  .regex(KMS_KEY_ARN, 'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)');

/**
 * Customer-managed KMS encryption. `key` is `"create"` (one key with rotation, owned by the
 * stack) or the ARN of an existing key in the stack's region; its policy must then allow what
 * README "Deploy on AWS" lists, as the stack cannot edit a key it does not own.
 */
const encryption = z.strictObject({
  key: z
    .string()
    .refine((key) => key === 'create' || KMS_KEY_ARN.test(key), {
      error: '"create" or a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
    })
    .optional(),
  /** The key `existingSecrets` are encrypted with, when it is not AWS's own. */
  existingSecretsKey: kmsKeyArn.optional(),
});

/** The origin (and optional path prefix) of an endpoint configs may send data to. */
const allowedBaseUrl = z.string().refine(
  (s) => {
    try {
      const url = new URL(s);
      return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
    } catch {
      return false;
    }
  },
  { error: 'an http(s) URL without query or fragment, e.g. "https://llm-gw.corp.example/"' },
);

/** Tags for every stack and resource: keys of 1-128 characters, not `aws:` (AWS's own). */
const tags = z
  .record(z.string(), z.string().max(256, 'a tag value of at most 256 characters'))
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record))
      if (key.length < 1 || key.length > 128 || key.toLowerCase().startsWith('aws:'))
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: 'a tag key of 1-128 characters, not starting with "aws:"',
        });
  });

export const deployConfigSchema = z
  .strictObject({
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
    // Summaries can hold sensitive text: who may read them is always an explicit choice.
    explorer: z.union([z.literal(false), explorer], {
      error: (issue) =>
        issue.input === undefined
          ? `required: choose who may read the explorer: ${EXPLORER_CHOICES}`
          : EXPLORER_CHOICES,
    }),
    summarizeConcurrency: z.number().optional(),
    summarizeReservedConcurrency: z.union([z.number(), z.literal(false)]).optional(),
    toleratedFailurePercentage: z.number().optional(),
    batchSize: z.number().optional(),
    schedules: z.array(schedule).default([]),
    alarmEmail: z.string().optional(),
    /** An SNS topic told when a run's clusters emerge or grow against the config's run before. */
    trendAlerts: z
      .strictObject({
        email: z.string().optional(),
        minPoints: z.number().min(0).optional(),
        minRatio: z.number().min(1).optional(),
      })
      .optional(),
    existingSecrets: z
      .strictObject({
        ANTHROPIC_API_KEY: z.string().optional(),
        LANGSMITH_API_KEY: z.string().optional(),
      })
      .optional(),
    bedrockModelIds: z.array(z.string()).optional(),
    memoryMiB: z
      .strictObject({
        claimTrigger: z.number().optional(),
        prepare: z.number().optional(),
        summarizeBatch: z.number().optional(),
        clusterLevel: z.number().optional(),
        finalize: z.number().optional(),
        markFailed: z.number().optional(),
        closeRun: z.number().optional(),
      })
      .optional(),
    retainData: z.boolean().optional(),
    intermediateRetentionDays: z.number().optional(),
    encryption: encryption.optional(),
    /** A managed policy (ARN, or name in this account) set as the boundary of every IAM role. */
    permissionsBoundary: z
      .string()
      .regex(
        /^(arn:aws[a-z-]*:iam::(\d{12}|aws):policy\/[\w+=,.@/-]+|[\w+=,.@-]{1,128})$/,
        'a managed policy ARN (arn:aws:iam::<account>:policy/<name>) or policy name',
      )
      .optional(),
    tags: tags.optional(),
    terminationProtection: z.boolean().optional(),
    /**
     * Endpoints a run config's `base_url` keys may point at (origin, optionally with a path
     * prefix); any other `base_url` fails the run at Prepare.
     * @default [] (configs may not set a base_url)
     */
    allowedBaseUrls: z.array(allowedBaseUrl).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.encryption?.existingSecretsKey && !config.existingSecrets)
      ctx.addIssue({
        code: 'custom',
        path: ['encryption', 'existingSecretsKey'],
        message:
          "only with existingSecrets (the secrets the stack creates use encryption.key, or AWS's own key)",
      });
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
