import { z } from 'zod';
import { facetDistributionSchema, facetValueSchema } from '../facets/distribution.js';
import { privacyReportSchema } from '../privacy/report.js';

/**
 * `hierarchy.json`: the one contract that the viewer, `evaluate`, `extend` and the AWS writer
 * read. Bump `schemaVersion` on any change a reader could trip over.
 */
export const HIERARCHY_SCHEMA_VERSION = 1;

const usage = z.object({
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  requests: z.number(),
});

export const failureSchema = z.object({
  stage: z.enum(['source', 'summarize', 'embed', 'name', 'audit']),
  id: z.string(),
  reason: z.string(),
  /** `empty-item`: skipped, the item had no text to summarize (counted in `counts.skipped`). */
  code: z.enum(['refusal', 'invalid-reply', 'request-failed', 'empty-item']).optional(),
});

/**
 * One `open-clio extend` of a run: new items placed into the existing hierarchy without
 * rebuilding it. `report` names the artifact listing every candidate item's outcome.
 */
export const extensionSchema = z.object({
  at: z.string(),
  source: z.string(),
  window: z.object({ start: z.string(), end: z.string() }).nullable(),
  llm: z.string(),
  embedder: z.string(),
  /** Whether a generative model confirmed each placement among the nearest clusters. */
  confirmedByModel: z.boolean(),
  /**
   * Items less similar to their nearest cluster than its members' lower outlier fence,
   * Q1 − fence × IQR of the members' own similarities, fit poorly.
   */
  fence: z.number(),
  counts: z.object({
    /** Items the source yields that the hierarchy did not hold (withheld ones excluded). */
    candidates: z.number().int(),
    placed: z.number().int(),
    /** Kept out: too far from every cluster of their partition. */
    poorFit: z.number().int(),
    /** Kept out: the model judged that none of the nearest clusters fits. */
    rejected: z.number().int(),
    /** Kept out: summarizing or confirming failed (reasons in the report). */
    failed: z.number().int(),
  }),
  usage,
  costUsd: z.number(),
  report: z.string(),
});

export const runInfoSchema = z.object({
  runId: z.string(),
  createdAt: z.string(),
  configDigest: z.string(),
  /** The uploaded config's key, for runs started on AWS. */
  configKey: z.string().optional(),
  source: z.string(),
  window: z.object({ start: z.string(), end: z.string() }).nullable(),
  hierarchy: z.array(z.number().int().positive()),
  partitions: z.record(z.string(), z.string()).nullable(),
  llm: z.string(),
  embedder: z.string(),
  counts: z.object({
    loaded: z.number().int(),
    sampled: z.number().int(),
    summarized: z.number().int(),
    failed: z.number().int(),
    clustered: z.number().int(),
    /** Items left out of every output by the privacy floor or audit (see `privacy`). */
    withheld: z.number().int().default(0),
    /** Items or clusters the model declined to answer for (`stop_reason: "refusal"`). */
    refused: z.number().int().optional(),
    /** Items skipped because the summary prompt took no text from them (not in `failed`). */
    skipped: z.number().int().optional(),
  }),
  usage,
  costUsd: z.number(),
  /** USD per stage at list prices (`summarize`, `cluster`); empty for the offline provider. */
  costByStage: z.record(z.string(), z.number()).default({}),
  /** Models that billed tokens at a price nobody knows: `costUsd` leaves them out. */
  unpricedModels: z.array(z.string()).default([]),
  failures: z.array(failureSchema),
  warnings: z.array(z.string()),
  timingsMs: z.record(z.string(), z.number()),
  /** What the privacy floor and audit held back; absent in runs made before them. */
  privacy: privacyReportSchema.optional(),
  /** Every `extend` of the run, oldest first; absent until the first one. */
  extensions: z.array(extensionSchema).optional(),
});

export const clusterSchema = z.object({
  level: z.number().int().nonnegative(),
  id: z.number().int().nonnegative(),
  name: z.string(),
  description: z.string(),
  size: z.number().int().positive(),
  partition: z.string(),
  parent: z.number().int().nullable(),
  children: z.array(z.number().int()),
  /**
   * Stays the same across runs while the cluster means the same thing (matched to the previous
   * run's clusters by centroid, members and name); unique within the document. Absent in runs
   * made before keys.
   */
  key: z.string().optional(),
  /** Its items' spread over each facet; absent in runs made before facets. */
  facets: z.record(z.string(), facetDistributionSchema).optional(),
});

export const itemSchema = z.object({
  id: z.string(),
  summary: z.string(),
  partition: z.string(),
  /** Cluster id at each level, base first. */
  path: z.array(z.number().int()),
  label: z.string().optional(),
  /** The start of the original item as text, bounded so the file stays loadable. */
  preview: z.string(),
  /** Position on the run's 2-D map, both in [0, 1]; absent in runs made before maps. */
  xy: z.tuple([z.number(), z.number()]).optional(),
  /** The `run.extensions` entry (1-based) that placed it; absent for items `generate` clustered. */
  extension: z.number().int().positive().optional(),
  /** Built-in and question facet values; absent in runs made before facets. */
  facets: z.record(z.string(), facetValueSchema).optional(),
});

/** How the items' `xy` were computed (optional: older runs have no map). */
export const mapInfoSchema = z.object({
  method: z.string(),
  /** Points laid out by UMAP itself; the other items were placed near them. */
  anchors: z.number().int().nonnegative(),
  seed: z.number().int(),
});

export const hierarchySchema = z.object({
  schemaVersion: z.literal(HIERARCHY_SCHEMA_VERSION),
  run: runInfoSchema,
  levels: z.array(z.object({ level: z.number().int(), count: z.number().int() })),
  clusters: z.array(clusterSchema),
  items: z.array(itemSchema),
  map: mapInfoSchema.optional(),
});

export type HierarchyDoc = z.infer<typeof hierarchySchema>;
export type RunInfo = z.infer<typeof runInfoSchema>;
export type ClusterRecord = z.infer<typeof clusterSchema>;
export type ItemRecord = z.infer<typeof itemSchema>;
export type MapInfo = z.infer<typeof mapInfoSchema>;
export type Extension = z.infer<typeof extensionSchema>;
