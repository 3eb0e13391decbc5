import { resolve } from 'node:path';
import { loadConfig } from '../config/index.js';
import type { ProgressReporter } from '../pipeline/types.js';
import { DynamoHierarchy } from '../store/dynamo-hierarchy.js';
import { checkSavePath } from '../store/save-path.js';
import type { RemoteClients } from './clients.js';
import { type Downloaded, downloadOutputs } from './download.js';
import { RemoteRunError } from './errors.js';
import {
  CLOCK_SKEW_MS,
  type ExecutionDeps,
  executionsSince,
  findTriggeredExecution,
  startExecution,
  triggerClaim,
} from './execution.js';
import { type FollowOptions, followExecution, type RunProgress } from './follow.js';
import { remoteProgress } from './report.js';
import { discoverStack, executionConsoleUrl, explorerRunUrl, type RemoteStack } from './stack.js';
import { planUpload, uploadRun } from './upload.js';

export interface RemoteRunOptions {
  /** The config file, relative to `cwd`. */
  readonly config: string;
  readonly cwd: string;
  /** The CloudFormation stack name. */
  readonly stack: string;
  readonly clients: RemoteClients;
  readonly progress: ProgressReporter;
  /** Between looks at the execution. @default FollowOptions' */
  readonly pollMs?: FollowOptions['pollMs'];
  /**
   * How long to look for the execution the upload started before starting one.
   * @default 60_000
   */
  readonly triggerWaitMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => Date;
}

export interface RemoteRunResult {
  readonly stack: RemoteStack;
  readonly executionArn: string;
  /** Whether the upload's trigger started the execution, or the CLI did. */
  readonly startedBy: 'upload' | 'cli';
  readonly runId: string;
  /** The run's page in the explorer; absent when the stack has none. */
  readonly explorerUrl: string | undefined;
  readonly downloaded: Downloaded;
}

const realSleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Why a followed execution produced no results, with the run record's reason when there is one. */
function runFailure(last: RunProgress): RemoteRunError {
  const runId = last.prepared?.runId;
  const where = last.record ? ` at ${last.record.stage}` : '';
  const reason = last.record?.error ?? last.failure ?? `execution ${last.status}`;
  return new RemoteRunError(
    `${runId ? `run ${runId}` : 'the run'} ${last.status === 'FAILED' ? 'failed' : `ended ${last.status}`}${where}: ${reason}\n  execution: ${executionConsoleUrl(last.executionArn)}`,
    last.executionArn,
    runId,
  );
}

/**
 * `generate --remote`: validate the config locally, upload it (and a local source file) to the
 * stack's configs bucket, find the execution the upload started (or start one), follow it to
 * the end, and download the outputs into the config's `save_path`.
 */
export async function runRemote(options: RemoteRunOptions): Promise<RemoteRunResult> {
  const { clients, progress } = options;
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? realSleep;
  const loaded = await loadConfig(options.config, { cwd: options.cwd });
  // The outputs come down to save_path at the end: a bad one is said before the run starts.
  await checkSavePath(loaded.config.save_path, options.cwd);
  const plan = await planUpload(loaded);
  const stack = await discoverStack(clients.cloudFormation, options.stack);
  const deps: ExecutionDeps = {
    sfn: clients.sfn,
    dynamo: clients.dynamo,
    stateMachineArn: stack.stateMachineArn,
    tableName: stack.tableName,
    sleep,
    now,
  };
  const { configKey } = plan;

  const since = new Date(now().getTime() - CLOCK_SKEW_MS);
  // The claim on this content's trigger outlives a successful run: uploading the same bytes
  // again would stop at AlreadyStarted, so the CLI starts that run itself, without a trigger.
  const earlier = await triggerClaim(deps, configKey, plan.trigger);
  const before = new Set(earlier ? [] : await executionsSince(deps, since));
  progress.info(
    `stack ${stack.name}: uploading ${[plan.source?.key, configKey].filter(Boolean).join(' and ')} to ${stack.configsBucket}`,
  );
  const uploaded = await uploadRun(clients.s3, stack.configsBucket, plan);
  const trigger = `upload#${uploaded.etag}`;
  const version = uploaded.version ? { configVersion: uploaded.version } : {};

  let startedBy: RemoteRunResult['startedBy'] = 'upload';
  let executionArn: string | undefined;
  if (earlier) {
    progress.info(`this exact config ran before (${earlier}); starting a new run of it`);
  } else {
    executionArn = await findTriggeredExecution(deps, {
      input: { configKey, trigger },
      since,
      ignore: before,
      ...(options.triggerWaitMs === undefined ? {} : { waitMs: options.triggerWaitMs }),
      ...(options.pollMs ? { pollMs: options.pollMs.initial } : {}),
    });
    if (!executionArn)
      progress.info('no run started from the upload (is the trigger off?); starting one');
  }
  if (!executionArn) {
    startedBy = 'cli';
    // With the trigger id, a late upload event and this start claim the same trigger: one runs.
    executionArn = await startExecution(
      deps,
      earlier ? { configKey, ...version } : { configKey, ...version, trigger },
    );
  }
  progress.info(`execution ${executionArn}`);

  const follow = (arn: string) =>
    followExecution(
      {
        sfn: clients.sfn,
        runs: new DynamoHierarchy({ client: clients.dynamo, tableName: stack.tableName }),
        sleep,
      },
      arn,
      {
        onProgress: remoteProgress(progress, stack.explorerUrl),
        ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      },
    );
  let last = await follow(executionArn);
  if (last.alreadyStarted) {
    // Another start of the same trigger won the claim (an identical upload at the same time):
    // that execution does the run.
    const owner = await triggerClaim(deps, configKey, trigger);
    if (!owner || owner === executionArn)
      throw new RemoteRunError(
        `execution ${executionArn} found ${configKey} already started, but no execution holds its claim`,
        executionArn,
        undefined,
      );
    progress.info(`the run is execution ${owner}`);
    executionArn = owner;
    last = await follow(owner);
  }
  const runId = last.prepared?.runId;
  if (last.status !== 'SUCCEEDED' || !runId) throw runFailure(last);

  const downloaded = await downloadOutputs(
    clients.s3,
    stack.artifactsBucket,
    runId,
    resolve(options.cwd, loaded.config.save_path),
  );
  return {
    stack,
    executionArn,
    startedBy,
    runId,
    explorerUrl: stack.explorerUrl && explorerRunUrl(stack.explorerUrl, runId),
    downloaded,
  };
}
