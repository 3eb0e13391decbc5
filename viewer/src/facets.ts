import type { FacetDistribution } from '../../lib/facets/distribution.js';
import type { VizCluster, VizFacet } from '../../lib/viz/format.js';

/**
 * The facet filter of a link (`f=language=en`, `f=turns=2..5`): one facet narrowed to a value
 * (a category) or a range with either end open (a scale).
 */
export type FacetFilter =
  | { readonly facet: string; readonly value: string }
  | { readonly facet: string; readonly min?: number; readonly max?: number };

const RANGE = /^(-?\d+(?:\.\d+)?)?\.\.(-?\d+(?:\.\d+)?)?$/;

/** Undefined for a malformed filter: a link to it is then shown unfiltered, with a note. */
export function parseFacetFilter(text: string | undefined): FacetFilter | undefined {
  const at = text?.indexOf('=') ?? -1;
  if (text === undefined || at < 1 || at === text.length - 1) return undefined;
  const facet = text.slice(0, at);
  const rest = text.slice(at + 1);
  const range = RANGE.exec(rest);
  if (!range) return { facet, value: rest };
  const [, min, max] = range;
  return {
    facet,
    ...(min === undefined ? {} : { min: Number(min) }),
    ...(max === undefined ? {} : { max: Number(max) }),
  };
}

export function formatFacetFilter(filter: FacetFilter): string {
  if ('value' in filter) return `${filter.facet}=${filter.value}`;
  return `${filter.facet}=${filter.min ?? ''}..${filter.max ?? ''}`;
}

/** The filter in words: `language is en`, `turns from 2 to 5`, `turns at least 3`. */
export function describeFacetFilter(filter: FacetFilter): string {
  if ('value' in filter) return `${filter.facet} is ${filter.value}`;
  const { facet, min, max } = filter;
  if (min !== undefined && max !== undefined) {
    return min === max ? `${facet} is ${min}` : `${facet} from ${min} to ${max}`;
  }
  if (min !== undefined) return `${facet} at least ${min}`;
  if (max !== undefined) return `${facet} at most ${max}`;
  return `${facet} has any value`;
}

/**
 * Which column values (see VizFacetColumn) the filter keeps, or why it cannot apply to this
 * run's facets: links outlive runs, and a facet or value may be gone.
 */
export function facetTest(
  filter: FacetFilter,
  facets: readonly VizFacet[],
): { readonly column: number; readonly keeps: (v: number | null) => boolean } | { error: string } {
  const column = facets.findIndex((f) => f.name === filter.facet);
  const facet = facets[column];
  if (!facet) return { error: `This run has no facet “${filter.facet}”.` };
  if ('value' in filter) {
    if (facet.kind !== 'category') {
      return { error: `“${facet.name}” is a scale: filter it by a range such as 1..3.` };
    }
    const code = facet.values.indexOf(filter.value);
    if (code < 0) {
      return {
        error: facet.more
          ? `“${filter.value}” is not among the ${facet.values.length} most common values of ${facet.name}, the ones the explorer filters by.`
          : `No item has ${facet.name} “${filter.value}”.`,
      };
    }
    return { column, keeps: (v) => v === code };
  }
  if (facet.kind !== 'scale') {
    return { error: `“${facet.name}” is a category: filter it by one of its values.` };
  }
  const { min = -Infinity, max = Infinity } = filter;
  return { column, keeps: (v) => v !== null && v >= min && v <= max };
}

/** The items a filter keeps, counted over any member-order range in constant time. */
export class FacetMatches {
  /** prefix[p]: matching items before position p. */
  private readonly prefix: Uint32Array;

  constructor(values: readonly (number | null)[], keeps: (v: number | null) => boolean) {
    this.prefix = new Uint32Array(values.length + 1);
    for (let p = 0; p < values.length; p++) {
      this.prefix[p + 1] = (this.prefix[p] as number) + (keeps(values[p] ?? null) ? 1 : 0);
    }
  }

  get total(): number {
    return this.prefix[this.prefix.length - 1] as number;
  }

  /** Matching items in [start, end). */
  count(start: number, end: number): number {
    const at = (p: number) => this.prefix[Math.max(0, Math.min(p, this.prefix.length - 1))] ?? 0;
    return at(end) - at(start);
  }

  has(position: number): boolean {
    return this.count(position, position + 1) === 1;
  }

  /** Positions of the matching items in [start, end), in member order. */
  positions(start: number, end: number): number[] {
    const out: number[] = [];
    for (let p = start; p < end; p++) if (this.has(p)) out.push(p);
    return out;
  }

  inCluster(cluster: VizCluster): number {
    return this.count(cluster.start, cluster.start + cluster.size);
  }
}

/**
 * A number per cluster to rank or colour by (`rank=language=en`, `colour=turns`): a category
 * value's share of the members, or a scale's mean.
 */
export type FacetMeasure =
  | { readonly facet: string; readonly value: string }
  | { readonly facet: string };

export function parseFacetMeasure(text: string | undefined): FacetMeasure | undefined {
  if (!text) return undefined;
  const at = text.indexOf('=');
  if (at < 0) return { facet: text };
  if (at < 1 || at === text.length - 1) return undefined;
  return { facet: text.slice(0, at), value: text.slice(at + 1) };
}

export const formatFacetMeasure = (m: FacetMeasure) =>
  'value' in m ? `${m.facet}=${m.value}` : m.facet;

export const describeFacetMeasure = (m: FacetMeasure) =>
  'value' in m ? `share with ${m.facet} ${m.value}` : `mean ${m.facet}`;

/** The measures a run offers: each scale's mean, each category value's share (top values). */
export function facetMeasures(facets: readonly VizFacet[], valuesEach = 12): FacetMeasure[] {
  return facets.flatMap((f): FacetMeasure[] =>
    f.kind === 'scale'
      ? [{ facet: f.name }]
      : f.values.slice(0, valuesEach).map((value) => ({ facet: f.name, value })),
  );
}

/** A cluster's facet distributions by facet name (from `facets/clusters.json`). */
export type ClusterFacetsOf = (
  cluster: VizCluster,
) => Readonly<Record<string, FacetDistribution>> | undefined;

/** The cluster's value of a measure; undefined when its members gave the facet no value. */
export function measureOf(
  cluster: VizCluster,
  measure: FacetMeasure,
  facetsOf: ClusterFacetsOf,
): number | undefined {
  const d = facetsOf(cluster)?.[measure.facet];
  if (!d) return undefined;
  if ('value' in measure) {
    if (d.kind !== 'category') return undefined;
    const total = Object.values(d.counts).reduce((sum, n) => sum + n, 0);
    return total > 0 ? (d.counts[measure.value] ?? 0) / total : undefined;
  }
  return d.kind === 'scale' ? d.mean : undefined;
}

/** A measure's value as shown: a share as a percentage, a mean to two decimals. */
export const measureText = (measure: FacetMeasure, v: number | undefined) =>
  v === undefined ? '–' : 'value' in measure ? `${Math.round(100 * v)}%` : v.toFixed(2);

/** Highest first; clusters without a value last, in their original order. */
export function rankByMeasure<C extends VizCluster>(
  clusters: readonly C[],
  m: FacetMeasure,
  facetsOf: ClusterFacetsOf,
): C[] {
  const value = new Map(clusters.map((c) => [c, measureOf(c, m, facetsOf)]));
  return [...clusters].sort(
    (a, b) => (value.get(b) ?? -Infinity) - (value.get(a) ?? -Infinity) || 0,
  );
}
