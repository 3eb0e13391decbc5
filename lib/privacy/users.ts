import type { Item } from '../sources/types.js';

/** Metadata keys that name the end user, in the spellings LangSmith apps commonly use. */
const USER_KEYS = ['user_id', 'userId', 'user', 'end_user_id', 'ls_user_id'] as const;

export type IdentitySource = 'user' | 'thread' | 'item';

export interface Identity {
  /** Opaque and only compared, never written out. */
  readonly key: string;
  readonly source: IdentitySource;
}

const keyValue = (value: unknown): string | undefined =>
  (typeof value === 'string' && value.trim() !== '') || typeof value === 'number'
    ? String(value)
    : undefined;

/**
 * Whom an item comes from, for `min_distinct_users`: the user its metadata names, else its
 * conversation thread, else the item alone. The fallbacks can only count more people than there
 * are, so the run reports how many items had no user (see `identityWarning`).
 */
export function identityOf(item: Item): Identity {
  for (const name of USER_KEYS) {
    const value = keyValue(item.metadata[name]);
    if (value !== undefined) return { key: `user:${value}`, source: 'user' };
  }
  const thread = keyValue(item.metadata.thread_id);
  if (thread !== undefined) return { key: `thread:${thread}`, source: 'thread' };
  return { key: `item:${item.id}`, source: 'item' };
}

/** Says how distinct users were counted when some items named no user. */
export function identityWarning(
  counts: Readonly<Record<IdentitySource, number>>,
  minDistinctUsers: number,
): string | undefined {
  if (counts.thread === 0 && counts.item === 0) return undefined;
  const parts = [
    counts.thread > 0 ? `${counts.thread} by their thread` : '',
    counts.item > 0 ? `${counts.item} as one user each` : '',
  ].filter(Boolean);
  return (
    `min_distinct_users ${minDistinctUsers}: ${counts.thread + counts.item} items name no user in their metadata ` +
    `(${USER_KEYS.join(', ')}), so they were counted ${parts.join(' and ')}; ` +
    'that can only overcount users, so add a user id to the metadata for a strict floor'
  );
}
