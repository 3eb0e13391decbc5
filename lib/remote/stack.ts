import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from '@aws-sdk/client-cloudformation';
import { StackError } from './errors.js';

/**
 * The CfnOutputs of `OpenClioStack` (`lib/infra/stack.ts`) that a remote run needs. The
 * explorer's output sits inside the `Explorer` construct, so CDK suffixes its key with a hash
 * (`ExplorerUrlF549A5DD`): it is matched by prefix, and is absent when the stack has no explorer.
 */
export const STACK_OUTPUTS = {
  configsBucket: 'ConfigsBucketName',
  artifactsBucket: 'ArtifactsBucketName',
  tableName: 'RunsTableName',
  stateMachineArn: 'StateMachineArn',
} as const;
export const EXPLORER_URL_OUTPUT_PREFIX = 'ExplorerUrl';

/** A deployed OpenCLIO stack, as a remote command addresses it. */
export interface RemoteStack {
  readonly name: string;
  readonly region: string | undefined;
  readonly configsBucket: string;
  readonly artifactsBucket: string;
  readonly tableName: string;
  readonly stateMachineArn: string;
  /** @default undefined (deployed with `"explorer": false`) */
  readonly explorerUrl: string | undefined;
}

const isMissingStack = (error: unknown) => {
  const { name, message } = (error ?? {}) as { name?: unknown; message?: unknown };
  return name === 'ValidationError' && /does not exist/i.test(String(message));
};

async function describeStack(client: CloudFormationClient, stackName: string) {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Stacks?.[0];
  } catch (error) {
    if (isMissingStack(error)) return undefined;
    if (/region is missing/i.test(String((error as Error | undefined)?.message)))
      throw new StackError(
        stackName,
        `cannot look up stack "${stackName}": no AWS region; set AWS_REGION (or a region in your AWS profile) to the stack's region`,
        { cause: error },
      );
    throw error;
  }
}

async function clientRegion(client: CloudFormationClient): Promise<string | undefined> {
  try {
    return await client.config.region();
  } catch {
    return undefined;
  }
}

/** Finds the stack's buckets, table, state machine and explorer from its outputs (DescribeStacks). */
export async function discoverStack(
  client: CloudFormationClient,
  stackName: string,
): Promise<RemoteStack> {
  const region = await clientRegion(client);
  const stack = await describeStack(client, stackName);
  if (!stack)
    throw new StackError(
      stackName,
      `stack "${stackName}" does not exist in ${region ?? 'this region'}: check the name (cdk.json's stackName) and AWS_REGION, or deploy it with "npx cdk deploy"`,
    );
  const outputs = new Map(
    (stack.Outputs ?? [])
      .filter((o): o is Output & { OutputKey: string } => Boolean(o.OutputKey && o.OutputValue))
      .map((o) => [o.OutputKey, o.OutputValue as string]),
  );
  const missing = Object.values(STACK_OUTPUTS).filter((key) => !outputs.has(key));
  if (missing.length > 0)
    throw new StackError(
      stackName,
      `stack "${stackName}" (${stack.StackStatus ?? 'unknown status'}) lacks the outputs ${missing.join(', ')}: is it an OpenCLIO stack, and has its deployment finished?`,
    );
  const get = (key: string) => outputs.get(key) as string;
  const explorer = [...outputs].find(([key]) => key.startsWith(EXPLORER_URL_OUTPUT_PREFIX));
  return {
    name: stackName,
    region: regionOf(get(STACK_OUTPUTS.stateMachineArn)) ?? region,
    configsBucket: get(STACK_OUTPUTS.configsBucket),
    artifactsBucket: get(STACK_OUTPUTS.artifactsBucket),
    tableName: get(STACK_OUTPUTS.tableName),
    stateMachineArn: get(STACK_OUTPUTS.stateMachineArn),
    explorerUrl: explorer?.[1].replace(/\/+$/, ''),
  };
}

/** `arn:aws:states:<region>:…` → the region. */
export const regionOf = (arn: string): string | undefined => arn.split(':')[3] || undefined;

/** The explorer page of one run (the explorer keeps its state in the URL's hash). */
export const explorerRunUrl = (explorerUrl: string, runId: string): string =>
  `${explorerUrl}/#run=${encodeURIComponent(runId)}`;

/** The Step Functions console page of an execution, for a failure message. */
export function executionConsoleUrl(executionArn: string): string {
  const region = regionOf(executionArn) ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
}
