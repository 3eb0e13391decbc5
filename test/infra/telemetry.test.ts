import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Segment } from 'aws-xray-sdk-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ENV, METRIC, TELEMETRY } from '../../lambdas/contract.js';
import { inStepSegment, type StepTracer, tracer } from '../../lambdas/telemetry.js';
import {
  BUCKETS,
  driveRun,
  executionArn,
  type Handlers,
  loadHandlers,
  startWorld,
  type World,
} from './world.js';

/**
 * The handlers' metrics as CloudWatch would read them: EMF documents on stdout, captured while
 * the real handlers run against the emulated buckets and table.
 */

/**
 * Set before any module of the handlers loads (the Metrics instance reads them once): the world
 * disables metrics for the other tests, here they are the subject; the deployment dimension
 * the stack sets (ENV.deployment); and the initialization type Lambda sets, without which
 * Powertools counts no cold start.
 */
const DEPLOYMENT = vi.hoisted(() => {
  const deployment = 'OpenClioTest';
  Object.assign(process.env, {
    POWERTOOLS_METRICS_DISABLED: 'false',
    CLIO_DEPLOYMENT: deployment,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  });
  return deployment;
});

type Emf = Record<string, unknown> & {
  _aws: {
    CloudWatchMetrics: {
      Namespace: string;
      Dimensions: string[][];
      Metrics: { Name: string; Unit: string }[];
    }[];
  };
};

let world: World;
let handlers: Handlers;
/** Everything written since the handlers were loaded, and what the current test wrote. */
const allWritten: string[] = [];
let written: string[] = [];

beforeAll(async () => {
  expect(process.env[ENV.deployment]).toBe(DEPLOYMENT);
  world = await startWorld();
  handlers = await loadHandlers();
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    allWritten.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  written = [];
});

afterAll(async () => {
  vi.restoreAllMocks();
  await world?.close();
});

/** The EMF documents written (by the current test unless told), in order. */
const emitted = (chunks = written): Emf[] =>
  chunks
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((doc): doc is Emf => '_aws' in doc);

/** The documents that carry metric `name`. */
const withMetric = (name: string, chunks = written) =>
  emitted(chunks).filter((doc) =>
    doc._aws.CloudWatchMetrics.some((m) => m.Metrics.some((metric) => metric.Name === name)),
  );

describe('the step handlers publish EMF metrics', () => {
  it('per Summarize batch and per finished run, with what the steps returned', async () => {
    const { runId, summarized, finished } = await driveRun(world, handlers, 'configs/support.json');

    const batches = withMetric(METRIC.itemsSummarized.name);
    expect(batches).toHaveLength(summarized.length);
    batches.forEach((doc, i) => {
      expect(doc).toMatchObject({
        ItemsSummarized: summarized[i]?.summarized,
        ItemsFailed: summarized[i]?.failed,
        SummariesReused: summarized[i]?.reused,
        runId,
        stage: 'summarize-batch',
      });
    });
    expect(batches.map((doc) => doc.ItemsSummarized)).toEqual([25, 25, 10]);

    const [run, ...more] = withMetric(METRIC.runsFinished.name);
    expect(more).toEqual([]);
    expect(run).toMatchObject({
      RunsFinished: 1,
      RunsPartiallyFailed: 0,
      RunItems: 60,
      RunFailedItems: 0,
      RunFailedBatches: 0,
      InputTokens: finished.inputTokens,
      OutputTokens: finished.outputTokens,
      CostUsd: finished.costUsd,
      runId,
      stage: 'finalize',
    });
  });

  it("count a failed run's spend when it fails, and only the rest when a redrive finishes it", async () => {
    const configKey = 'configs/support.json';
    const prepared = await handlers.prepare({
      start: { configKey, trigger: 'upload#spend' },
      executionArn: executionArn('spend'),
    });
    const runId = prepared.runId as string;
    // What a level step had billed before the run failed (the offline provider bills nothing).
    const key = `runs/${runId}/run.json`;
    const record = JSON.parse(await world.getText(BUCKETS.artifacts, key));
    record.costUsd = 0.75;
    record.costByStage = { summarize: 0.75 };
    record.usage = { ...record.usage, inputTokens: 3000, outputTokens: 400 };
    await world.s3.client.send(
      new PutObjectCommand({ Bucket: BUCKETS.artifacts, Key: key, Body: JSON.stringify(record) }),
    );
    await handlers.markFailed({
      state: { configKey, prepare: { runId }, error: { Error: 'Lambda.Unknown', Cause: 'boom' } },
      executionArn: executionArn('spend'),
    });
    expect(withMetric(METRIC.runsFailed.name)).toMatchObject([
      { RunsFailed: 1, CostUsd: 0.75, InputTokens: 3000, OutputTokens: 400, runId },
    ]);

    // Redriven: the run goes on from its artifacts and Finalize adds only what came after.
    const batches = JSON.parse(
      await world.getText(BUCKETS.artifacts, prepared.batchKeysKey as string),
    ) as unknown[];
    for (const batch of batches) await handlers.summarize(batch);
    for (let level = 0; level < 2; level++) await handlers.cluster({ runId, level });
    await handlers.finalize({ runId });
    expect(withMetric(METRIC.runsFinished.name)).toMatchObject([
      { RunsFinished: 1, CostUsd: 0, InputTokens: 0, OutputTokens: 0, runId },
    ]);
  });

  it('in one namespace, with low-cardinality dimensions and the run id as metadata', async () => {
    await driveRun(world, handlers, 'configs/support.json');
    const docs = emitted();
    expect(docs.length).toBeGreaterThan(0);
    for (const doc of docs) {
      const [directive, ...others] = doc._aws.CloudWatchMetrics;
      expect(others).toEqual([]);
      expect(directive?.Namespace).toBe(TELEMETRY.namespace);
      expect(directive?.Dimensions).toEqual([['service', 'deployment']]);
      expect(doc).toMatchObject({ service: TELEMETRY.service, deployment: DEPLOYMENT });
      expect(doc.runId).toEqual(expect.any(String));
      for (const { Name, Unit } of directive?.Metrics ?? []) {
        const spec = Object.values(METRIC).find((m) => m.name === Name);
        expect(spec?.unit, Name).toBe(Unit);
      }
    }
    // Item text never reaches the metrics (the world's items talk about refunds and logins).
    expect(written.join('')).not.toMatch(/refund|password|csv/i);
  });

  it('a run that lost a batch reports a partial failure', async () => {
    const { finished } = await driveRun(world, handlers, 'configs/support.json', {
      failedBatches: 1,
    });
    expect(finished).toMatchObject({ items: 50, failedItems: 10, failedBatches: 1 });
    const [run] = withMetric(METRIC.runsPartiallyFailed.name);
    expect(run).toMatchObject({
      RunsPartiallyFailed: 1,
      RunFailedBatches: 1,
      RunFailedItems: 10,
      RunItems: 50,
    });
  });

  it('MarkFailed counts the failed run, and a failed step leaves no run id behind', async () => {
    const arn = executionArn('telemetry');
    const prepared = await handlers.prepare({
      start: { configKey: 'configs/other.json' },
      executionArn: arn,
    });
    const failedStep = await handlers
      .summarize({ runId: prepared.runId, batchKey: 'items/batch-99999.json' })
      .catch((e: unknown) => e);
    expect(failedStep).toBeInstanceOf(Error);
    // A config rejected before Prepare made a run, then a run that failed after it.
    const error = { Error: 'ConfigError', Cause: 'hierarchy[1]: got 5 after 3' };
    await handlers.markFailed({
      state: { configKey: 'configs/bad.json', error },
      executionArn: arn,
    });
    await handlers.markFailed({
      state: { configKey: 'configs/other.json', prepare: prepared, error },
      executionArn: arn,
    });
    // Neither Prepare nor the failed step had metrics of their own to publish.
    const docs = emitted().filter((doc) => !('ColdStart' in doc));
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ RunsFailed: 1, stage: 'mark-failed' });
    expect(docs[0]).not.toHaveProperty('runId');
    expect(docs[1]).toMatchObject({ RunsFailed: 1, runId: prepared.runId });
  });

  it('count one cold start per container, however many invocations', () => {
    const invocations = allWritten.length;
    expect(invocations).toBeGreaterThan(1);
    const [cold, ...more] = withMetric('ColdStart', allWritten);
    expect(more).toEqual([]);
    expect(cold).toMatchObject({ ColdStart: 1, service: TELEMETRY.service });
  });
});

describe('tracing', () => {
  it('is off outside Lambda, where the handlers above ran without an X-Ray daemon', () => {
    expect(tracer.isTracingEnabled()).toBe(false);
  });

  /** A Tracer over a real X-Ray segment, recording which segment is current. */
  function tracerOver(parent: Segment) {
    let current: Segment | ReturnType<Segment['addNewSubsegment']> = parent;
    const traces: StepTracer = {
      isTracingEnabled: () => true,
      getSegment: () => current,
      setSegment: (segment) => {
        current = segment;
      },
      putAnnotation: (key, value) => current.addAnnotation(key, value),
      annotateColdStart: () => current.addAnnotation('ColdStart', true),
      addServiceNameAnnotation: () => current.addAnnotation('Service', TELEMETRY.service),
      addErrorAsMetadata: (error) => current.addError(error),
    };
    return { traces, current: () => current };
  }

  it('runs each step in its own annotated subsegment, closed and unset after it', async () => {
    const parent = new Segment('facade');
    const { traces, current } = tracerOver(parent);
    const seen = await inStepSegment(
      'finalize',
      async () => {
        traces.putAnnotation('runId', 'r1');
        return current();
      },
      traces,
    );
    const [sub] = parent.subsegments ?? [];
    expect(seen).toBe(sub);
    expect(sub?.name).toBe('## finalize');
    expect((sub as unknown as { annotations: object }).annotations).toEqual({
      ColdStart: true,
      Service: TELEMETRY.service,
      stage: 'finalize',
      runId: 'r1',
    });
    expect(sub?.isClosed()).toBe(true);
    expect(current()).toBe(parent);
  });

  it('records a failing step as an error of its subsegment and rethrows', async () => {
    const parent = new Segment('facade');
    const { traces, current } = tracerOver(parent);
    const failing = inStepSegment(
      'prepare',
      async () => {
        throw new Error('boom');
      },
      traces,
    );
    await expect(failing).rejects.toThrow('boom');
    const [sub] = parent.subsegments ?? [];
    expect((sub as unknown as { fault?: boolean }).fault).toBe(true);
    expect(sub?.isClosed()).toBe(true);
    expect(current()).toBe(parent);
  });

  it('just runs the step when tracing is on but there is no segment (no Lambda context)', async () => {
    const traces = { ...tracerOver(new Segment('unused')).traces, getSegment: () => undefined };
    expect(await inStepSegment('prepare', async () => 42, traces)).toBe(42);
  });
});
