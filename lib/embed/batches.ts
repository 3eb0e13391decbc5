/**
 * How a call's texts are cut into batches for a padded model such as USE-lite: each distinct
 * text once, and texts of similar length together. The model pads every text of a batch to the
 * longest one, and its convolutions and attention run over the padding too, so a batch mixing a
 * five-word text with a forty-word one pays for forty words eight times over.
 */

export interface BatchLimits {
  /** Texts per batch at most. */
  readonly maxTexts: number;
  /**
   * Padded size of a batch at most: its text count times the cost of its longest text. Keeps
   * batches of long texts small enough to stay in cache and to spread over the workers.
   */
  readonly maxPaddedCost: number;
  /** Group texts of similar cost (true), or keep the caller's order (false: fixed-size runs). */
  readonly sortByCost: boolean;
}

export interface BatchPlan {
  /** The distinct texts, each to be embedded once. */
  readonly distinct: readonly string[];
  /** For each input text, the index of its text in `distinct`. */
  readonly distinctOf: Int32Array;
  /** Indices into `distinct`, one array per batch, in the order to send them. */
  readonly batches: readonly (readonly number[])[];
}

/** Splits `texts` into batches within `limits`; `cost` estimates a text's padded length. */
export function planBatches(
  texts: readonly string[],
  limits: BatchLimits,
  cost: (text: string) => number,
): BatchPlan {
  const indexOfText = new Map<string, number>();
  const distinct: string[] = [];
  const distinctOf = new Int32Array(texts.length);
  texts.forEach((text, i) => {
    let d = indexOfText.get(text);
    if (d === undefined) {
      d = distinct.length;
      indexOfText.set(text, d);
      distinct.push(text);
    }
    distinctOf[i] = d;
  });
  const costs = distinct.map(cost);
  const order = distinct.map((_, d) => d);
  // Longest first, so the heaviest batches are handed out while every worker is still busy.
  if (limits.sortByCost) order.sort((a, b) => (costs[b] as number) - (costs[a] as number) || a - b);
  const batches: number[][] = [];
  let batch: number[] = [];
  let longest = 0;
  for (const d of order) {
    const c = costs[d] as number;
    const widest = Math.max(longest, c);
    if (
      batch.length > 0 &&
      (batch.length >= limits.maxTexts || (batch.length + 1) * widest > limits.maxPaddedCost)
    ) {
      batches.push(batch);
      batch = [];
      longest = 0;
    }
    batch.push(d);
    longest = Math.max(longest, c);
  }
  if (batch.length > 0) batches.push(batch);
  return { distinct, distinctOf, batches };
}
