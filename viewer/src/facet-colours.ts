import type { VizCluster } from '../../lib/viz/format.js';
import { type ClusterFacetsOf, type FacetMeasure, measureOf } from './facets.js';

/** ColorBrewer YlOrRd without its palest step, which vanishes on the map's white. */
export const RAMP = ['#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#bd0026', '#800026'];
/** Clusters whose members gave the facet no value. */
export const NO_VALUE = '#9a9a9a';

/** The map coloured by a facet measure, each base cluster by its own value. */
export interface FacetColouring {
  readonly measure: FacetMeasure;
  /** The ramp's steps, then NO_VALUE. */
  readonly colours: readonly string[];
  /** The lowest and highest base-cluster value: the ramp's ends. */
  readonly min: number;
  readonly max: number;
  /** Index into `colours`. */
  step(cluster: VizCluster): number;
}

/** Undefined when no base cluster has a value for the measure. */
export function facetColouring(
  bases: readonly VizCluster[],
  measure: FacetMeasure,
  facetsOf: ClusterFacetsOf,
): FacetColouring | undefined {
  const values = new Map(bases.map((c) => [c, measureOf(c, measure, facetsOf)]));
  const given = [...values.values()].filter((v): v is number => v !== undefined);
  if (given.length === 0) return undefined;
  const [min, max] = [Math.min(...given), Math.max(...given)];
  const last = RAMP.length - 1;
  return {
    measure,
    colours: [...RAMP, NO_VALUE],
    min,
    max,
    step(cluster) {
      const v = values.get(cluster);
      if (v === undefined) return RAMP.length;
      return max > min ? Math.round(((v - min) / (max - min)) * last) : last;
    },
  };
}

/** The value at the middle of a ramp step, for the legend. */
export const stepValue = (c: FacetColouring, step: number) =>
  c.min + ((c.max - c.min) * step) / (RAMP.length - 1);
