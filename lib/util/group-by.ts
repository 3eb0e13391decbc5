/** Groups values by a key, keeping first-seen key order and the values' order within a group. */
export function groupBy<T, K>(
  values: Iterable<T>,
  keyOf: (value: T, index: number) => K,
): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  let index = 0;
  for (const value of values) {
    const key = keyOf(value, index++);
    const group = groups.get(key);
    if (group) group.push(value);
    else groups.set(key, [value]);
  }
  return groups;
}

/** Indices 0..n-1 grouped by their label, e.g. k-means assignments → members of each cluster. */
export function indicesByLabel<K>(labels: ArrayLike<K>): Map<K, number[]> {
  return groupBy(
    Array.from({ length: labels.length }, (_, i) => i),
    (i) => labels[i] as K,
  );
}
