import { useMemo } from 'preact/hooks';
import { loadFacetColumn } from './data.js';
import {
  describeFacetFilter,
  type FacetFilter,
  FacetMatches,
  facetTest,
  parseFacetFilter,
} from './facets.js';
import type { Model } from './model.js';
import type { Route } from './route.js';
import { useAsync } from './use-async.js';

/** The route's facet filter as the screens use it. */
export type FacetFilterState =
  | { readonly state: 'none' }
  | { readonly state: 'invalid'; readonly message: string }
  | { readonly state: 'loading'; readonly filter: FacetFilter; readonly label: string }
  | {
      readonly state: 'ready';
      readonly filter: FacetFilter;
      readonly label: string;
      readonly matches: FacetMatches;
    };

/** Downloads the filtered facet's column (one array for the whole run) and indexes the matches. */
export function useFacetFilter(model: Model, route: Route, run: string): FacetFilterState {
  const filter = parseFacetFilter(route.facet);
  const test = filter && facetTest(filter, model.index.facets ?? []);
  const column = test && 'column' in test ? test.column : undefined;
  const loaded = useAsync(
    () => (column === undefined ? Promise.resolve(undefined) : loadFacetColumn(run, column)),
    [run, column],
  );
  const matches = useMemo(
    () =>
      loaded.state === 'done' && loaded.value && test && 'keeps' in test
        ? new FacetMatches(loaded.value.values, test.keeps)
        : undefined,
    [loaded, route.facet],
  );
  if (route.facet === undefined) return { state: 'none' };
  if (!filter)
    return { state: 'invalid', message: `Cannot read the facet filter “${route.facet}”.` };
  if (test && 'error' in test) return { state: 'invalid', message: test.error };
  if (loaded.state === 'failed') {
    return { state: 'invalid', message: `Cannot load the facet values: ${loaded.error}` };
  }
  const label = describeFacetFilter(filter);
  return matches ? { state: 'ready', filter, label, matches } : { state: 'loading', filter, label };
}
