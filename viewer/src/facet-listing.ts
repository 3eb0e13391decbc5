import type { VizCluster } from '../../lib/viz/format.js';
import {
  type ClusterFacetsOf,
  describeFacetMeasure,
  type FacetMatches,
  measureOf,
  measureText,
  parseFacetMeasure,
  rankByMeasure,
} from './facets.js';
import type { Route } from './route.js';
import type { FacetFilterState } from './use-facet-filter.js';

/** A cluster list as the route's facet filter and ranking shape it (see ClusterList). */
export interface FacetListing {
  readonly clusters: VizCluster[];
  /** Matching items per cluster while a filter is ready; undefined: its size. */
  readonly sizeOf: ((c: VizCluster) => number) | undefined;
  readonly figure: ((c: VizCluster) => string) | undefined;
  /** Items the list covers, filtered. */
  readonly shown: number;
  /** What filtered shares are of: matching items among `total` (undefined: unfiltered). */
  readonly whole: ((total: { start: number; size: number }) => number) | undefined;
}

export function facetListing(
  clusters: readonly VizCluster[],
  route: Route,
  filter: FacetFilterState,
  /** Undefined while the distributions load: the list keeps its order until then. */
  facetsOf: ClusterFacetsOf | undefined,
): FacetListing {
  const measure = parseFacetMeasure(route.rank);
  const matches = filter.state === 'ready' ? filter.matches : undefined;
  const sizeOf = matches && ((c: VizCluster) => matches.inCluster(c));
  if (measure && facetsOf) {
    const value = (c: VizCluster) => measureText(measure, measureOf(c, measure, facetsOf));
    return {
      clusters: rankByMeasure(clusters, measure, facetsOf),
      sizeOf,
      figure: (c) => `${describeFacetMeasure(measure)} ${value(c)}`,
      ...totals(clusters, sizeOf, matches),
    };
  }
  return {
    clusters: [...clusters],
    sizeOf,
    figure: undefined,
    ...totals(clusters, sizeOf, matches),
  };
}

function totals(
  clusters: readonly VizCluster[],
  sizeOf: ((c: VizCluster) => number) | undefined,
  matches: FacetMatches | undefined,
): Pick<FacetListing, 'shown' | 'whole'> {
  return {
    shown: clusters.reduce((sum, c) => sum + (sizeOf ? sizeOf(c) : c.size), 0),
    whole: matches && ((of) => matches.count(of.start, of.start + of.size)),
  };
}
