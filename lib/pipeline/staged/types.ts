/**
 * The pipeline cut into steps that each fit one Lambda invocation (one state of the Step
 * Functions state machine). Every step reads its inputs from the run's store and writes its
 * outputs back; only these small payloads travel between states (the 256 KiB limit).
 * Layout in the store, under `runs/<runId>/`:
 *   config.json, run.json            the validated config and the run record
 *   items/batch-00001.json           sampled items, `batchSize` per object
 *   summaries/batch-00001.json       summaries, partitions and vectors of that batch, failures
 *   levels/level-0.json …            each level's clusters (centroids as base64)
 *   combined.csv, level_{x}_clusters.csv, hierarchy.json   the outputs
 */

import type { RunSchedule } from '../../config/schedule-window.js';
import type { Spend } from '../run-record.js';

/** Input of Prepare: the uploaded config, and the time the run was scheduled or triggered. */
export interface PrepareInput {
  /** The config's key in the configs bucket (e.g. `configs/support.json`). */
  readonly configKey: string;
  /** The S3 object version the trigger claimed. Default: the latest. */
  readonly configVersion?: string | undefined;
  /** ISO time; the tracing window ends here for scheduled runs. Default: now. */
  readonly scheduledTime?: string | undefined;
  /** The schedule that fired: the window starts at its previous tick (or `windowHours` before). */
  readonly schedule?: RunSchedule | undefined;
  /** Window length sent by schedules deployed before `schedule` existed. */
  readonly windowHours?: number | undefined;
}

export interface PrepareOutput {
  readonly runId: string;
  readonly itemCount: number;
  /** Keys of the item batches, for the Distributed Map (read by an ItemReader or listed). */
  readonly batchKeysKey: string;
  readonly batchCount: number;
  /** Number of hierarchy levels, so the state machine can loop over ClusterLevel. */
  readonly levelCount: number;
}

export interface SummarizeBatchInput {
  readonly runId: string;
  readonly batchKey: string;
}

export interface SummarizeBatchOutput {
  readonly summarized: number;
  readonly failed: number;
  /** Summaries taken from the cache rather than paid for. */
  readonly reused: number;
}

export interface ClusterLevelInput {
  readonly runId: string;
  readonly level: number;
}

export interface ClusterLevelOutput {
  readonly runId: string;
  readonly level: number;
  readonly clusters: number;
  /** True when this was the top level; the state machine then goes to Finalize. */
  readonly done: boolean;
}

export interface FinalizeInput {
  readonly runId: string;
}

export interface FinalizeOutput {
  readonly runId: string;
  readonly outputKeys: readonly string[];
  /** Items in the hierarchy. */
  readonly items: number;
  /** Items left out: not summarized or embedded (those of failed batches included). */
  readonly failedItems: number;
  /** Summarize batches that failed after their retries and that the Map tolerated. */
  readonly failedBatches: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly costUsd: number;
  /**
   * What the run spent since a MarkFailed or CloseRun last counted it (all of it for a run that
   * never failed): what the deployment's metrics add, so a redriven run is counted once.
   */
  readonly newSpend: Spend;
}

export interface MarkFailedInput {
  readonly runId?: string;
  readonly configKey?: string;
  /** The `Error`/`Cause` pair Step Functions passes to a Catch. */
  readonly error: { readonly Error?: string; readonly Cause?: string };
  /** Appended to the reason: what the operator can do (e.g. redrive the execution). */
  readonly note?: string;
}
