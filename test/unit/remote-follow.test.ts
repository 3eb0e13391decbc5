import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { terminalProgress } from '../../lib/cli/progress.js';
import { followExecution, progressFromHistory, type RunProgress } from '../../lib/remote/follow.js';
import { remoteProgress } from '../../lib/remote/report.js';

const ARN = 'arn:aws:states:eu-west-1:123456789012:execution:Pipeline:e1';
const prepared = { runId: '20261125T114218Z-84e632', itemCount: 250, batchCount: 3, levelCount: 2 };

let id = 0;
const entered = (name: string): HistoryEvent =>
  ({
    id: ++id,
    type: 'TaskStateEntered',
    timestamp: new Date(),
    stateEnteredEventDetails: { name },
  }) as HistoryEvent;
const exited = (name: string, output: unknown = {}): HistoryEvent =>
  ({
    id: ++id,
    type: 'TaskStateExited',
    timestamp: new Date(),
    stateExitedEventDetails: { name, output: JSON.stringify(output) },
  }) as HistoryEvent;
const mapStarted = (): HistoryEvent =>
  ({
    id: ++id,
    type: 'MapRunStarted',
    timestamp: new Date(),
    mapRunStartedEventDetails: { mapRunArn: `${ARN}:map` },
  }) as HistoryEvent;

const throughLevelOne = [
  entered('Triggered'),
  entered('ClaimTrigger'),
  exited('ClaimTrigger'),
  entered('Prepare'),
  exited('Prepare', { configKey: 'configs/a.json', prepare: prepared }),
  entered('Summarize'),
  mapStarted(),
  exited('Summarize'),
  entered('FirstLevel'),
  entered('ClusterLevel'),
  exited('ClusterLevel'),
  entered('AllLevelsDone'),
  entered('NextLevel'),
  entered('ClusterLevel'),
];

describe('progressFromHistory', () => {
  it('reads the phase, Prepare’s result, the map run and the levels done', () => {
    expect(progressFromHistory([])).toEqual({
      phase: 'starting',
      prepared: undefined,
      mapRunArn: undefined,
      levelsDone: 0,
      alreadyStarted: false,
    });
    expect(progressFromHistory(throughLevelOne.slice(0, 4))).toMatchObject({ phase: 'prepare' });
    expect(progressFromHistory(throughLevelOne.slice(0, 7))).toMatchObject({
      phase: 'summarize',
      prepared,
      mapRunArn: `${ARN}:map`,
    });
    expect(progressFromHistory(throughLevelOne)).toMatchObject({ phase: 'cluster', levelsDone: 1 });
  });

  it('tells a start that found its trigger already claimed', () => {
    const events = [entered('Triggered'), entered('ClaimTrigger'), entered('AlreadyStarted')];
    expect(progressFromHistory(events)).toMatchObject({
      alreadyStarted: true,
      prepared: undefined,
    });
  });
});

// aws-sdk-client-mock is typed against an older @smithy/types than the SDK clients; it works alike.
const client = new SFNClient({ region: 'eu-west-1' });
const sfn = mockClient(client as never);
const runs = { getRun: async () => undefined };

describe('followExecution', () => {
  beforeEach(() => sfn.reset());

  const scripted = (statuses: ExecutionStatus[], histories: HistoryEvent[][]) => {
    let look = 0;
    sfn.on(DescribeExecutionCommand as never).callsFake(() => {
      const status = statuses[Math.min(look, statuses.length - 1)];
      return status === 'FAILED'
        ? { status, error: 'RunFailed', cause: 'ClioError: no item could be summarized' }
        : { status };
    });
    sfn.on(GetExecutionHistoryCommand as never).callsFake(() => ({
      events: histories[Math.min(look++, histories.length - 1)],
    }));
    sfn
      .on(DescribeMapRunCommand as never)
      .resolves({ itemCounts: { total: 3, succeeded: 1, failed: 1 } } as never);
  };

  it('backs off while nothing changes and looks again soon after a change', async () => {
    const early = throughLevelOne.slice(0, 4);
    scripted(
      ['RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'],
      [early, early, early, early, throughLevelOne, throughLevelOne],
    );
    const waits: number[] = [];
    const seen: RunProgress[] = [];
    const last = await followExecution(
      { sfn: client, runs, sleep: async (ms) => void waits.push(ms) },
      ARN,
      { pollMs: { initial: 100, max: 200 }, onProgress: (p) => seen.push(p) },
    );
    expect(waits).toEqual([100, 150, 200, 200, 100]);
    expect(seen).toHaveLength(6);
    expect(last).toMatchObject({
      status: 'SUCCEEDED',
      prepared,
      batches: { done: 2, total: 3 },
      failure: undefined,
    });
  });

  it('returns a failed execution with its error and cause', async () => {
    scripted(['FAILED'], [throughLevelOne]);
    const last = await followExecution({ sfn: client, runs, sleep: async () => {} }, ARN);
    expect(last.failure).toBe('RunFailed: ClioError: no item could be summarized');
  });
});

describe('remoteProgress', () => {
  it('prints plain lines off a terminal: the run, the explorer, each step', () => {
    const lines: string[] = [];
    const show = remoteProgress(
      terminalProgress({ quiet: false, tty: false, write: (line) => lines.push(line) }),
      'https://clio.example.com',
    );
    const look = (events: HistoryEvent[], status: ExecutionStatus = 'RUNNING') =>
      show({
        ...progressFromHistory(events),
        executionArn: ARN,
        status,
        batches: { done: 1, total: 3 },
        record: undefined,
        failure: undefined,
      });
    look(throughLevelOne.slice(0, 4));
    look(throughLevelOne.slice(0, 7));
    look(throughLevelOne);
    look([...throughLevelOne, exited('ClusterLevel'), entered('Finalize')], 'SUCCEEDED');
    expect(lines.map((l) => l.replace(/[\d.]+ s$/, 'N s'))).toEqual([
      'prepare: loading and sampling the items',
      `run ${prepared.runId}: 250 items in 3 batches, 2 levels`,
      `explorer (once done): https://clio.example.com/#run=${prepared.runId}`,
      'summarize batches: 3 to do',
      'summarize batches: done in N s',
      'cluster levels: 2 to do',
      'cluster levels: done in N s',
      'finalize: writing the outputs',
    ]);
  });
});
