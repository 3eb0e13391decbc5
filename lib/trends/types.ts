/**
 * Each cluster's share of every kept run, as `open-clio trends --json` prints it and the explorer
 * reads it. Types only: the browser bundle imports this module.
 */
import type { ChangeStatus } from '../compare/types.js';

/** `top` and `base` follow each run's own levels, so a run with another depth still lines up. */
export type TrendLevel = 'top' | 'base' | number;

export interface TrendRun {
  readonly runId: string;
  readonly createdAt: string;
  readonly window: { readonly start: string; readonly end: string } | null;
  readonly items: number;
}

export interface TrendCluster {
  readonly key: string;
  /** Its name in the latest run that has it. */
  readonly name: string;
  /** One per run, in run order: its part of the run's items in [0, 1], 0 where absent. */
  readonly shares: number[];
  /** One per run: its size, 0 where absent. */
  readonly sizes: number[];
  /**
   * The latest run against the one before, by `compare`'s rule: `new` when the one before lacks
   * it, `vanished` when the latest lacks it (however long ago it went); null with a single run.
   */
  readonly status: ChangeStatus | null;
}

export interface Trends {
  readonly runs: TrendRun[];
  readonly level: TrendLevel;
  readonly thresholds: { readonly minPoints: number; readonly minRatio: number };
  /** Flagged ones first (in `CHANGE_ORDER`), then by the latest share, largest first. */
  readonly clusters: TrendCluster[];
}
