import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Spend } from '../lib/pipeline/run-record.js';
import { ENV, METRIC, type MetricKey, TELEMETRY } from './contract.js';
import { optionalEnv } from './env.js';

/**
 * The step functions' logs, metrics and traces (Powertools), one instance each per container.
 * Nothing here sees item text or secrets: steps hand over only counts, ids and the stage name.
 * The buffers are per process, which is per invocation in Lambda (one event at a time).
 */

/** Structured JSON logs; the level comes from the function's log configuration. */
export const logger = new Logger({ serviceName: TELEMETRY.service });

const deployment = optionalEnv(ENV.deployment);

/**
 * EMF metrics, written to stdout and turned into CloudWatch metrics by Lambda's log group.
 * Outside Lambda they are written too unless `POWERTOOLS_METRICS_DISABLED` is set.
 */
export const metrics = new Metrics({
  namespace: TELEMETRY.namespace,
  serviceName: TELEMETRY.service,
  logger,
  ...(deployment ? { defaultDimensions: { [TELEMETRY.dimensions.deployment]: deployment } } : {}),
});

/**
 * X-Ray through the Lambda's active tracing. Powertools turns itself off outside Lambda
 * (no `AWS_EXECUTION_ENV`), so tests and `npm run aws:local` need no daemon.
 */
export const tracer = new Tracer({ serviceName: TELEMETRY.service });

/** What a step reports once it succeeded: a value per metric of `METRIC` it emits. */
export type Measurements = Partial<Record<MetricKey, number>>;

/**
 * A run's spend as metrics: tokens and priced cost, counted by whichever step ended the run
 * (Finalize, MarkFailed, CloseRun), each dollar once. Nothing for a run with no record.
 */
export const spendMetrics = (spend: Spend | undefined): Measurements =>
  spend
    ? {
        inputTokens: spend.inputTokens,
        outputTokens: spend.outputTokens,
        costUsd: spend.costUsd,
      }
    : {};

/** Buffers a step's measurements until `flushMetrics`, each under its name and unit in `METRIC`. */
export function recordMeasurements(measurements: Measurements): void {
  for (const [key, value] of Object.entries(measurements) as [MetricKey, number][]) {
    const { name, unit } = METRIC[key];
    metrics.addMetric(name, unit, value);
  }
}

/**
 * Starts an invocation: the cold-start metric (published at once, first invocation only) and
 * the stage as metadata of the metrics this invocation will publish.
 */
export function startInvocation(stage: string, functionName?: string): void {
  metrics.captureColdStartMetric(functionName);
  metrics.addMetadata('stage', stage);
}

/** Ties the metrics and the trace of this invocation to its run. */
export function tagRun(runId: string): void {
  metrics.addMetadata('runId', runId);
  tracer.putAnnotation('runId', runId);
}

/**
 * Publishes what the invocation buffered, on success and failure alike. A step without metrics
 * of its own (Prepare, ClusterLevel, a failed step) publishes nothing and only drops its
 * metadata, instead of Powertools' "no metrics" warning on every invocation.
 */
export function flushMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  else metrics.clearMetadata();
}

/** The part of the Tracer a step's subsegment needs (a test passes its own). */
export type StepTracer = Pick<
  Tracer,
  | 'isTracingEnabled'
  | 'getSegment'
  | 'setSegment'
  | 'putAnnotation'
  | 'annotateColdStart'
  | 'addServiceNameAnnotation'
  | 'addErrorAsMetadata'
>;

/**
 * Runs a step in its own X-Ray subsegment `## <stage>`, annotated with the stage (and the cold
 * start and service, as Powertools' own handler wrapper does), with the error recorded when
 * it throws. Where tracing is off, or there is no segment to hang it on, the step just runs.
 */
export async function inStepSegment<T>(
  stage: string,
  work: () => Promise<T>,
  traces: StepTracer = tracer,
): Promise<T> {
  const parent = traces.isTracingEnabled() ? traces.getSegment() : undefined;
  if (!parent) return work();
  const segment = parent.addNewSubsegment(`## ${stage}`);
  traces.setSegment(segment);
  try {
    traces.annotateColdStart();
    traces.addServiceNameAnnotation();
    traces.putAnnotation('stage', stage);
    return await work();
  } catch (error) {
    traces.addErrorAsMetadata(error as Error);
    throw error;
  } finally {
    segment.close();
    traces.setSegment(parent);
  }
}
