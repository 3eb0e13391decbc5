import { facetListing } from '../facet-listing.js';
import type { Model } from '../model.js';
import type { Route } from '../route.js';
import { count, plural } from '../text.js';
import { useClusterFacets } from '../use-cluster-facets.js';
import { useFacetFilter } from '../use-facet-filter.js';
import { ClusterList } from './cluster-list.js';
import { FacetFilterBar } from './facet-filter.js';
import { FacetMeasurePicker } from './facet-measure.js';
import { Overview } from './overview.js';

/** The first screen: what the run is, then its top-level clusters. */
export function Home({ model, route, run }: { model: Model; route: Route; run: string }) {
  const roots = model.visibleRoots(route.part);
  const filter = useFacetFilter(model, route, run);
  const facetsOf = useClusterFacets(model, run, route.rank !== undefined);
  const listing = facetListing(roots, route, filter, facetsOf);
  return (
    <>
      <Overview model={model} />
      <section aria-labelledby="top-heading">
        <h1 id="top-heading" tabIndex={-1}>
          Top-level clusters
        </h1>
        <FacetFilterBar
          model={model}
          route={route}
          filter={filter}
          of={{ start: 0, size: model.total }}
        />
        <FacetMeasurePicker
          model={model}
          route={route}
          field="rank"
          label="Rank clusters by"
          none="size"
        />
        <p class="muted">
          {plural(roots.length, 'cluster')} holding {count(listing.shown)} of {count(model.total)}{' '}
          items
          {route.part ? ` (partition “${route.part}”)` : ''}
          {filter.state === 'ready' ? ` with ${filter.label}` : ''}. Open one to see its children
          and members.
        </p>
        <ClusterList
          clusters={listing.clusters}
          whole={listing.whole?.({ start: 0, size: model.total }) ?? model.total}
          model={model}
          route={route}
          sizeOf={listing.sizeOf}
          figure={listing.figure}
        />
      </section>
    </>
  );
}
