/**
 * The result of comparing two runs, as `open-clio compare --json` prints it and the explorer
 * reads it. Types only: the browser bundle imports this module.
 */

export const COMPARISON_FORMAT = 1;

export type ChangeStatus = 'new' | 'vanished' | 'growing' | 'shrinking' | 'stable';

export const CHANGE_ORDER: readonly ChangeStatus[] = [
  'new',
  'vanished',
  'growing',
  'shrinking',
  'stable',
];

export interface ComparedRun {
  /** The path or name it was given as. */
  readonly label: string;
  readonly runId: string;
  readonly createdAt: string;
  readonly source: string;
  readonly items: number;
}

/** One cluster as one run has it; `share` is its part of the run's items, in [0, 1]. */
export interface ClusterSide {
  readonly id: number;
  readonly key: string | null;
  readonly name: string;
  readonly partition: string;
  readonly size: number;
  readonly share: number;
}

export interface ClusterChange {
  readonly status: ChangeStatus;
  /** In run A (the earlier one); null for a new cluster. */
  readonly a: ClusterSide | null;
  /** In run B (the later one); null for a vanished cluster. */
  readonly b: ClusterSide | null;
  /** How the two were paired; null when unpaired. */
  readonly matchedBy: 'key' | 'similarity' | null;
  readonly score: number | null;
  /** B's share minus A's, in percentage points. */
  readonly shareChange: number;
}

export interface LevelComparison {
  readonly level: number;
  readonly clustersA: number;
  readonly clustersB: number;
  readonly counts: Readonly<Record<ChangeStatus, number>>;
  /** Grouped by status in `CHANGE_ORDER`, the biggest change first within each. */
  readonly changes: readonly ClusterChange[];
}

export interface Comparison {
  readonly format: typeof COMPARISON_FORMAT;
  readonly a: ComparedRun;
  readonly b: ComparedRun;
  /** A matched cluster grows or shrinks when its share changes by both of these. */
  readonly thresholds: { readonly minPoints: number; readonly minRatio: number };
  /** Whether centroids took part in matching (both runs have comparable ones). */
  readonly centroids: boolean;
  /** Base level first. */
  readonly levels: readonly LevelComparison[];
}
