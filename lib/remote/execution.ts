import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { tableKeys } from '../store/dynamo-hierarchy.js';

/**
 * Finding the execution an upload started. S3 → EventBridge → StartExecution is asynchronous and
 * returns nothing to the uploader, so the CLI looks for it: an execution of the state machine,
 * new since the upload, whose input names the config key and the upload's trigger id. When none
 * shows up in time (no trigger, or EventBridge is late), the CLI starts one itself with the same
 * trigger id, and the state machine's claim on it lets only one of the two do the run.
 */

export interface ExecutionDeps {
  readonly sfn: SFNClient;
  readonly dynamo: DynamoDBDocumentClient;
  readonly stateMachineArn: string;
  readonly tableName: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
}

/** The input the upload trigger gives an execution (`ConfigUploadTrigger`). */
export interface RunInput {
  readonly configKey: string;
  /** The S3 version uploaded; Prepare reads exactly it. */
  readonly configVersion?: string;
  readonly trigger?: string;
}

/** Executions started this long before the upload (by the local clock) are still looked at. */
export const CLOCK_SKEW_MS = 120_000;

/** ARNs of the executions started since `since`, newest first. */
export async function executionsSince(deps: ExecutionDeps, since: Date): Promise<string[]> {
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await deps.sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: deps.stateMachineArn,
        maxResults: 100,
        nextToken,
      }),
    );
    for (const e of page.executions ?? []) {
      if (e.startDate && e.startDate < since) return arns;
      if (e.executionArn) arns.push(e.executionArn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

export interface FindOptions {
  readonly input: Required<Pick<RunInput, 'configKey' | 'trigger'>>;
  readonly since: Date;
  /** Executions that existed before the upload (an earlier upload of the same content). */
  readonly ignore: ReadonlySet<string>;
  /** @default 60_000 */
  readonly waitMs?: number;
  /** @default 2_000 */
  readonly pollMs?: number;
}

/** Polls for the execution the upload started; undefined when none appeared within `waitMs`. */
export async function findTriggeredExecution(
  deps: ExecutionDeps,
  options: FindOptions,
): Promise<string | undefined> {
  const deadline = deps.now().getTime() + (options.waitMs ?? 60_000);
  const looked = new Set(options.ignore);
  for (;;) {
    for (const arn of await executionsSince(deps, options.since)) {
      if (looked.has(arn)) continue;
      looked.add(arn);
      const { input } = await deps.sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      if (sameInput(input, options.input)) return arn;
    }
    if (deps.now().getTime() >= deadline) return undefined;
    await deps.sleep(options.pollMs ?? 2_000);
  }
}

function sameInput(
  text: string | undefined,
  wanted: Required<Pick<RunInput, 'configKey' | 'trigger'>>,
): boolean {
  try {
    const input = JSON.parse(text ?? '') as Partial<RunInput>;
    return input.configKey === wanted.configKey && input.trigger === wanted.trigger;
  } catch {
    return false;
  }
}

export async function startExecution(deps: ExecutionDeps, input: RunInput): Promise<string> {
  const { executionArn } = await deps.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: deps.stateMachineArn,
      input: JSON.stringify(input),
    }),
  );
  if (!executionArn) throw new Error('StartExecution returned no executionArn');
  return executionArn;
}

/** The execution that claimed a trigger (`ClaimTrigger` in the state machine), if one has. */
export async function triggerClaim(
  deps: ExecutionDeps,
  configKey: string,
  trigger: string,
): Promise<string | undefined> {
  const { Item } = await deps.dynamo.send(
    new GetCommand({ TableName: deps.tableName, Key: tableKeys.trigger(configKey, trigger) }),
  );
  return typeof Item?.executionArn === 'string' ? Item.executionArn : undefined;
}
