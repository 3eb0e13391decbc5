/**
 * Shares `total` clusters among groups by size (largest remainder), giving every non-empty group
 * at least one and never more than it has members. The result may sum to less than `total`
 * when the groups are too small to fill it.
 */
export function allocateClusters(sizes: readonly number[], total: number): number[] {
  const nonEmpty = sizes.filter((s) => s > 0).length;
  const target = Math.max(total, nonEmpty);
  const sum = sizes.reduce((a, b) => a + b, 0);
  if (sum === 0) return sizes.map(() => 0);
  const exact = sizes.map((s) => (s * target) / sum);
  const counts = exact.map((e, i) =>
    Math.min(sizes[i] as number, Math.max(sizes[i] ? 1 : 0, Math.floor(e))),
  );
  let left = target - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((e, i) => ({ i, rest: e - Math.floor(e) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  while (left > 0) {
    let gave = false;
    for (const { i } of order) {
      if (left > 0 && (counts[i] as number) < (sizes[i] as number)) {
        counts[i] = (counts[i] as number) + 1;
        left--;
        gave = true;
      }
    }
    if (!gave) break;
  }
  // Minimum-one grants can overshoot the target: take back from the largest shares.
  while (left < 0) {
    let largest = -1;
    for (let i = 0; i < counts.length; i++) {
      if (
        (counts[i] as number) > 1 &&
        (largest < 0 || (counts[i] as number) > (counts[largest] as number))
      )
        largest = i;
    }
    if (largest < 0) break;
    counts[largest] = (counts[largest] as number) - 1;
    left++;
  }
  return counts;
}
