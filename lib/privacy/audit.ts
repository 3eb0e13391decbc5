import pLimit from 'p-limit';
import { type ClusterNode, isShown } from '../cluster/types.js';
import type { PrivacyAudit } from '../config/privacy.js';
import { failureCode, isFatal, type Llm } from '../llm/types.js';
import type { Failure } from '../pipeline/types.js';
import { auditClusterTask } from '../prompts/privacy-audit.js';
import { type AuditCounts, noAudit } from './report.js';

export interface AuditDeps {
  readonly llm: Llm;
  readonly concurrency: number;
  readonly onAudited?: (done: number) => void;
}

/**
 * The privacy audit of one level, after it is named and before the level above groups it: every
 * shown cluster's name and description is rated; one rated above `maxRating` is withheld, or
 * with `rename` takes the generalized wording and is rated again (withheld if still too high).
 * A cluster whose audit fails is withheld too: nothing vouched for it. Withheld clusters are never
 * grouped further, and every item under them leaves the outputs.
 */
export async function auditLevel(
  clusters: readonly ClusterNode[],
  audit: PrivacyAudit,
  deps: AuditDeps,
): Promise<{ counts: AuditCounts; failures: Failure[] }> {
  const counts = noAudit();
  const failures: Failure[] = [];
  const limit = pLimit(deps.concurrency);
  const tooHigh = (rating: number) => rating > audit.max_rating;
  let done = 0;
  await Promise.all(
    clusters.filter(isShown).map((cluster) =>
      limit(async () => {
        try {
          const first = await deps.llm.run(auditClusterTask, cluster);
          counts.audited++;
          if (tooHigh(first.value.rating)) {
            if (audit.action === 'withhold') cluster.withheld = 'audit';
            else {
              const renamed = {
                name: first.value.safeName,
                description: first.value.safeDescription,
              };
              const second = await deps.llm.run(auditClusterTask, renamed);
              if (tooHigh(second.value.rating)) cluster.withheld = 'audit';
              else {
                cluster.name = renamed.name;
                cluster.description = renamed.description;
                counts.renamed++;
              }
            }
            if (cluster.withheld) counts.withheld++;
          }
        } catch (error) {
          if (isFatal(error)) {
            limit.clearQueue();
            throw error;
          }
          cluster.withheld = 'audit';
          counts.failed++;
          failures.push({
            stage: 'audit',
            id: `level ${cluster.level} cluster ${cluster.id}`,
            reason: `withheld, the privacy audit failed: ${(error as Error).message}`,
            code: failureCode(error),
          });
        }
        deps.onAudited?.(++done);
      }),
    ),
  );
  return { counts, failures };
}

/** Every level's audit counts added up, for the summary line. */
export const totalAudit = (levels: readonly AuditCounts[]): AuditCounts =>
  levels.reduce(
    (total, l) => ({
      audited: total.audited + l.audited,
      renamed: total.renamed + l.renamed,
      withheld: total.withheld + l.withheld,
      failed: total.failed + l.failed,
    }),
    noAudit(),
  );
