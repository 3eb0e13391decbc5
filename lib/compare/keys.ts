import type { ClusterRecord, HierarchyDoc } from '../output/hierarchy-schema.js';
import { hashParts } from '../util/hash.js';
import { clusterRef } from './centroids.js';
import { type MatchSide, matchLevel } from './match.js';

export interface KeyedDoc {
  readonly doc: HierarchyDoc;
  /** Clusters that took the key of a previous run's cluster. */
  readonly carried: number;
  /** Clusters that got a new key. */
  readonly fresh: number;
}

function membersByCluster(doc: HierarchyDoc): Map<string, string[]> {
  const members = new Map<string, string[]>();
  for (const item of doc.items) {
    item.path.forEach((id, level) => {
      const ref = clusterRef(level, id);
      const list = members.get(ref);
      if (list) list.push(item.id);
      else members.set(ref, [item.id]);
    });
  }
  return members;
}

/**
 * A new cluster's key, derived from what it holds rather than drawn at random: the same items
 * clustered the same way get the same key even with no previous run to match against.
 */
function derivedKey(cluster: ClusterRecord, members: readonly string[], used: Set<string>): string {
  const sorted = [...members].sort();
  for (let salt = 0; ; salt++) {
    const digest = hashParts(String(cluster.level), cluster.partition, String(salt), ...sorted);
    const key = `L${cluster.level}-${digest.slice(0, 10)}`;
    if (!used.has(key)) {
      used.add(key);
      return key;
    }
  }
}

/** The document with a key on every cluster: kept where it has one, derived where not. */
export function withDerivedKeys(
  doc: HierarchyDoc,
  reserved: Set<string> = new Set(),
): HierarchyDoc {
  if (doc.clusters.every((c) => c.key !== undefined)) return doc;
  const used = new Set([...reserved, ...doc.clusters.flatMap((c) => (c.key ? [c.key] : []))]);
  const members = membersByCluster(doc);
  return {
    ...doc,
    clusters: doc.clusters.map((c) =>
      c.key !== undefined
        ? c
        : { ...c, key: derivedKey(c, members.get(clusterRef(c.level, c.id)) ?? [], used) },
    ),
  };
}

/**
 * Gives every cluster of `current` a stable key: the key of the previous run's cluster it matches
 * at the same level (by centroid, shared members and name; see `matchLevel`), or a new one.
 * Clusters that already carry a key keep it.
 */
export function assignKeys(current: MatchSide, previous?: MatchSide): KeyedDoc {
  const { doc } = current;
  if (!previous) {
    const keyed = withDerivedKeys(doc);
    const fresh = doc.clusters.filter((c) => c.key === undefined).length;
    return { doc: keyed, carried: 0, fresh };
  }
  const before = withDerivedKeys(previous.doc);
  const prior = { ...previous, doc: before };
  const inherited = new Map<string, string>();
  for (const { level } of doc.levels) {
    for (const match of matchLevel(prior, current, level)) {
      if (match.b.key === undefined && match.a.key !== undefined) {
        inherited.set(clusterRef(level, match.b.id), match.a.key);
      }
    }
  }
  const carriedDoc = {
    ...doc,
    clusters: doc.clusters.map((c) => {
      const key = c.key ?? inherited.get(clusterRef(c.level, c.id));
      return key === undefined ? c : { ...c, key };
    }),
  };
  // New keys must not repeat a previous run's: a key names one meaning across runs.
  const reserved = new Set(before.clusters.map((c) => c.key as string));
  const keyed = withDerivedKeys(carriedDoc, reserved);
  const fresh = carriedDoc.clusters.filter((c) => c.key === undefined).length;
  return { doc: keyed, carried: inherited.size, fresh };
}
