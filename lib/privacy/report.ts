import { z } from 'zod';
import { AUDIT_ACTIONS, type AuditAction } from '../config/privacy.js';

const count = z.number().int().nonnegative();

export const auditCountsSchema = z.object({
  /** Clusters rated (partitions, named by the config, are not). */
  audited: count,
  /** Rated above `maxRating`, then shown under the generalized name it was given. */
  renamed: count,
  /** Rated above `maxRating` (after renaming, when the action is `rename`): held back. */
  withheld: count,
  /** The audit call failed: held back, since nothing vouched for it, and listed in `failures`. */
  failed: count,
});
export type AuditCounts = z.infer<typeof auditCountsSchema>;

/** `run.privacy`: the thresholds a run applied and what each held back. */
export const privacyReportSchema = z.object({
  minClusterSize: count,
  minDistinctUsers: count,
  /** Base clusters below `minClusterSize` / `minDistinctUsers`. */
  withheldClusters: z.object({ size: count, users: count }),
  audit: z
    .object({
      maxRating: count,
      action: z.enum(AUDIT_ACTIONS),
      /** Per level, base first; a level not audited yet is absent. */
      levels: z.array(auditCountsSchema),
    })
    .nullable(),
});
export type PrivacyReport = z.infer<typeof privacyReportSchema>;

export const noAudit = (): AuditCounts => ({ audited: 0, renamed: 0, withheld: 0, failed: 0 });

/**
 * The run's privacy report after one level's step: the thresholds from the config, the floor's
 * counts from the base level, and this level's audit counts in its place (a retried step
 * overwrites its own entry rather than adding to it).
 */
export function withLevelPrivacy(
  report: PrivacyReport | undefined,
  settings: {
    readonly minClusterSize: number;
    readonly minDistinctUsers: number;
    readonly audit: { readonly max_rating: number; readonly action: AuditAction } | null;
    /** False when the model cannot audit (the offline provider). */
    readonly audits: boolean;
  },
  level: number,
  result: { readonly floor?: FloorCounts; readonly audit?: AuditCounts } | undefined,
): PrivacyReport {
  const levels = [...(report?.audit?.levels ?? [])];
  if (result?.audit) levels[level] = result.audit;
  return {
    minClusterSize: settings.minClusterSize,
    minDistinctUsers: settings.minDistinctUsers,
    withheldClusters: result?.floor
      ? { size: result.floor.clusters.size ?? 0, users: result.floor.clusters.users ?? 0 }
      : (report?.withheldClusters ?? { size: 0, users: 0 }),
    audit:
      settings.audit && settings.audits
        ? {
            maxRating: settings.audit.max_rating,
            action: settings.audit.action,
            levels: Array.from(levels, (l) => l ?? noAudit()),
          }
        : null,
  };
}

interface FloorCounts {
  readonly clusters: Partial<Record<'size' | 'users' | 'audit', number>>;
}
