import { z } from 'zod';

/** The Clio paper's scale: 1 names nothing about anyone, 5 identifies a person. */
export const PRIVACY_RATINGS = { min: 1, max: 5 } as const;

export const AUDIT_ACTIONS = ['rename', 'withhold'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** The keys of `privacy_audit`, for unknown-key suggestions. */
export const PRIVACY_AUDIT_KEYS = ['max_rating', 'action'] as const;

const RATING = `a whole number from ${PRIVACY_RATINGS.min} to ${PRIVACY_RATINGS.max - 1}`;

/**
 * `privacy_audit`: the model rates every cluster's name and description for identifying
 * information; clusters rated above `max_rating` are renamed (and rated again) or withheld.
 * `true` takes the defaults; `false` or null turns it off.
 */
export const privacyAuditSchema = z
  .union(
    [
      z.boolean(),
      z.strictObject({
        // Above 4 nothing could ever be flagged: 5 is the top of the scale.
        max_rating: z
          .number({ error: RATING })
          .int({ error: RATING })
          .min(PRIVACY_RATINGS.min, { error: RATING })
          .max(PRIVACY_RATINGS.max - 1, { error: RATING })
          .default(2),
        action: z.enum(AUDIT_ACTIONS, { error: 'one of "rename", "withhold"' }).default('rename'),
      }),
    ],
    { error: 'true, false, or an object like {"max_rating": 2, "action": "rename"}' },
  )
  .nullish()
  .transform((audit): PrivacyAudit | null =>
    audit === true
      ? { max_rating: 2, action: 'rename' }
      : audit === false || audit === null || audit === undefined
        ? null
        : audit,
  );

export interface PrivacyAudit {
  readonly max_rating: number;
  readonly action: AuditAction;
}
