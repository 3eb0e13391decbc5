import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { DynamoHierarchy, StoredRun } from '../store/dynamo-hierarchy.js';

/**
 * State names of the run state machine (the construct ids in `lib/infra/pipeline.ts`) that
 * progress is read from, and what Prepare leaves in the state (`resultPath: '$.prepare'`).
 */
export const STATES = {
  claim: 'ClaimTrigger',
  alreadyStarted: 'AlreadyStarted',
  prepare: 'Prepare',
  summarize: 'Summarize',
  clusterLevel: 'ClusterLevel',
  finalize: 'Finalize',
  markFailed: 'MarkFailed',
} as const;

export type Phase = 'starting' | 'prepare' | 'summarize' | 'cluster' | 'finalize' | 'failing';

/** Every state of the machine that tells where the run is (the map's inner states never show). */
export const PHASE_OF_STATE: Readonly<Record<string, Phase>> = {
  [STATES.claim]: 'prepare',
  [STATES.prepare]: 'prepare',
  [STATES.summarize]: 'summarize',
  FirstLevel: 'cluster',
  [STATES.clusterLevel]: 'cluster',
  AllLevelsDone: 'cluster',
  NextLevel: 'cluster',
  [STATES.finalize]: 'finalize',
  [STATES.markFailed]: 'failing',
  RunFailed: 'failing',
};

/** Prepare's result: the run and its size. */
export interface Prepared {
  readonly runId: string;
  readonly itemCount: number;
  readonly batchCount: number;
  readonly levelCount: number;
}

/** What the execution's history says about the run. */
export interface HistoryProgress {
  readonly phase: Phase;
  readonly prepared: Prepared | undefined;
  readonly mapRunArn: string | undefined;
  readonly levelsDone: number;
  /** The upload's trigger had already started a run: this execution did nothing. */
  readonly alreadyStarted: boolean;
}

function preparedFrom(output: string | undefined): Prepared | undefined {
  try {
    const prepared = (JSON.parse(output ?? '') as { prepare?: Partial<Prepared> }).prepare;
    if (typeof prepared?.runId !== 'string') return undefined;
    return {
      runId: prepared.runId,
      itemCount: prepared.itemCount ?? 0,
      batchCount: prepared.batchCount ?? 0,
      levelCount: prepared.levelCount ?? 0,
    };
  } catch {
    return undefined;
  }
}

/** Reads the phase, Prepare's result and the Summarize map run from history events, oldest first. */
export function progressFromHistory(events: readonly HistoryEvent[]): HistoryProgress {
  let phase: Phase = 'starting';
  let prepared: Prepared | undefined;
  let mapRunArn: string | undefined;
  let levelsDone = 0;
  let alreadyStarted = false;
  for (const event of events) {
    const entered = event.stateEnteredEventDetails?.name;
    if (entered !== undefined) {
      phase = PHASE_OF_STATE[entered] ?? phase;
      if (entered === STATES.alreadyStarted) alreadyStarted = true;
    }
    const exited = event.stateExitedEventDetails;
    if (exited?.name === STATES.prepare) prepared = preparedFrom(exited.output) ?? prepared;
    if (exited?.name === STATES.clusterLevel) levelsDone++;
    mapRunArn = event.mapRunStartedEventDetails?.mapRunArn ?? mapRunArn;
  }
  return { phase, prepared, mapRunArn, levelsDone, alreadyStarted };
}

export interface RunProgress extends HistoryProgress {
  readonly executionArn: string;
  readonly status: ExecutionStatus;
  /** Summarize batches finished (succeeded or not) of all, from the map run. */
  readonly batches: { readonly done: number; readonly total: number } | undefined;
  /** The run record in the table, once Prepare has written it. */
  readonly record: StoredRun | undefined;
  /** The execution's error and cause, when it failed, timed out or was aborted. */
  readonly failure: string | undefined;
}

/** A redrive of a failed execution is on its way back to RUNNING. */
export const isRunning = (status: ExecutionStatus) =>
  status === 'RUNNING' || status === 'PENDING_REDRIVE';

export interface FollowDeps {
  readonly sfn: SFNClient;
  readonly runs: Pick<DynamoHierarchy, 'getRun'>;
  readonly sleep: (ms: number) => Promise<void>;
}

async function history(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

/** One look at an execution: its status, where it is, and the run record's counts. */
export async function readProgress(deps: FollowDeps, executionArn: string): Promise<RunProgress> {
  const execution = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const status = execution.status ?? 'RUNNING';
  const fromHistory = progressFromHistory(await history(deps.sfn, executionArn));
  let batches: RunProgress['batches'];
  if (fromHistory.mapRunArn) {
    const { itemCounts: c } = await deps.sfn.send(
      new DescribeMapRunCommand({ mapRunArn: fromHistory.mapRunArn }),
    );
    if (c)
      batches = {
        done: (c.succeeded ?? 0) + (c.failed ?? 0) + (c.timedOut ?? 0) + (c.aborted ?? 0),
        total: c.total ?? 0,
      };
  }
  const runId = fromHistory.prepared?.runId;
  const failure =
    isRunning(status) || status === 'SUCCEEDED'
      ? undefined
      : [execution.error, execution.cause].filter(Boolean).join(': ') || status;
  return {
    ...fromHistory,
    executionArn,
    status,
    batches,
    record: runId ? await deps.runs.getRun(runId) : undefined,
    failure,
  };
}

export interface FollowOptions {
  /** Called after every look, the last one included. */
  readonly onProgress?: (progress: RunProgress) => void;
  /**
   * Wait between looks: from `initial`, growing half as much again each time nothing changed,
   * up to `max`; back to `initial` when something did.
   * @default { initial: 2_000, max: 30_000 }
   */
  readonly pollMs?: { readonly initial: number; readonly max: number };
}

const signature = (p: RunProgress) =>
  [p.status, p.phase, p.batches?.done, p.levelsDone, p.record?.stage].join('|');

/** Polls an execution until it ends; returns the last look. */
export async function followExecution(
  deps: FollowDeps,
  executionArn: string,
  options: FollowOptions = {},
): Promise<RunProgress> {
  const { initial, max } = options.pollMs ?? { initial: 2_000, max: 30_000 };
  let wait = initial;
  let last = '';
  for (;;) {
    const progress = await readProgress(deps, executionArn);
    options.onProgress?.(progress);
    if (!isRunning(progress.status)) return progress;
    const now = signature(progress);
    wait = now === last ? Math.min(max, wait * 1.5) : initial;
    last = now;
    await deps.sleep(wait);
  }
}
