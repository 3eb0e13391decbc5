import { z } from 'zod';

export const facetValueSchema = z.union([z.string(), z.number()]);

/** How a cluster's items spread over one facet, as hierarchy.json carries it. */
export const facetDistributionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('category'),
    /** Items per value, most frequent first. */
    counts: z.record(z.string(), z.number().int().nonnegative()),
  }),
  z.object({
    kind: z.literal('scale'),
    /** Items with a value. */
    n: z.number().int().nonnegative(),
    mean: z.number(),
    /** Minimum, lower quartile, median, upper quartile, maximum. */
    quartiles: z.tuple([z.number(), z.number(), z.number(), z.number(), z.number()]),
    /** Items per value, for scales with few distinct whole values (a 1–5 rating, turns). */
    counts: z.record(z.string(), z.number().int().nonnegative()).optional(),
  }),
]);
export type FacetDistribution = z.infer<typeof facetDistributionSchema>;

// A histogram of more distinct values than this says less than the quartiles already do.
const MAX_COUNTED_VALUES = 20;
/** Values shown by name in a CSV cell; the rest are summed into "other". */
export const SHOWN_VALUES = 3;

/** Every facet the items (or clusters) carry, in first-seen order (built-ins first, as they are written). */
export function facetNames(
  items: readonly { readonly facets?: Readonly<Record<string, unknown>> | undefined }[],
): string[] {
  const names = new Set<string>();
  for (const item of items) for (const name of Object.keys(item.facets ?? {})) names.add(name);
  return [...names];
}

function countsOf(values: readonly (string | number)[]): Record<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
  return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])));
}

// Nearest-rank quantile of sorted numbers.
const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;

/**
 * One facet's values over a set of items: counts for a category (text values), mean and
 * quartiles for a scale (numbers). Undefined when no item has a value.
 */
export function distributionOf(
  values: readonly (string | number | undefined)[],
): FacetDistribution | undefined {
  const present = values.filter((v): v is string | number => v !== undefined);
  if (present.length === 0) return undefined;
  const numbers = present.filter((v): v is number => typeof v === 'number');
  if (numbers.length < present.length) return { kind: 'category', counts: countsOf(present) };
  const sorted = [...numbers].sort((a, b) => a - b);
  const mean = sorted.reduce((sum, v) => sum + v, 0) / sorted.length;
  const counts = countsOf(sorted);
  const countable =
    sorted.every(Number.isInteger) && Object.keys(counts).length <= MAX_COUNTED_VALUES;
  return {
    kind: 'scale',
    n: sorted.length,
    mean,
    quartiles: [0, 0.25, 0.5, 0.75, 1].map((q) => quantile(sorted, q)) as [
      number,
      number,
      number,
      number,
      number,
    ],
    ...(countable ? { counts } : {}),
  };
}

/**
 * A cluster's spread over each of `names` among its members, as `hierarchy.json` records it;
 * undefined when no member has a value for any of them.
 */
export function facetDistributions(
  names: readonly string[],
  members: readonly { readonly facets?: Readonly<Record<string, string | number>> | undefined }[],
): Record<string, FacetDistribution> | undefined {
  const entries = names.flatMap((name) => {
    const d = distributionOf(members.map((m) => m.facets?.[name]));
    return d ? [[name, d] as const] : [];
  });
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

const percent = (part: number, whole: number) => `${Math.round((100 * part) / whole)}%`;

/**
 * A distribution in one CSV cell: `en 80%; fr 15%; other 5%` (the top values, the long tail
 * folded into "other"), or a scale's mean to two decimals.
 */
export function distributionCell(d: FacetDistribution | undefined): string | number {
  if (d === undefined) return '';
  if (d.kind === 'scale') return Math.round(d.mean * 100) / 100;
  const entries = Object.entries(d.counts);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const shown = entries.slice(0, SHOWN_VALUES).map(([v, n]) => `${v} ${percent(n, total)}`);
  const rest = entries.slice(SHOWN_VALUES).reduce((sum, [, n]) => sum + n, 0);
  if (rest > 0) shown.push(`other ${percent(rest, total)}`);
  return shown.join('; ');
}
