import { useEffect, useState } from 'preact/hooks';

export type View =
  | 'clusters'
  | 'treemap'
  | 'hierarchy'
  | 'map'
  | 'table'
  | 'run'
  | 'compare'
  | 'trends';
const VIEWS: readonly View[] = [
  'clusters',
  'treemap',
  'hierarchy',
  'map',
  'table',
  'run',
  'compare',
  'trends',
];

export interface ClusterRef {
  readonly level: number;
  readonly id: number;
}

/** Everything a link can share lives in the URL's hash, so any screen can be bookmarked. */
export interface Route {
  readonly run?: string;
  readonly view: View;
  readonly cluster?: ClusterRef;
  readonly q: string;
  readonly part?: string;
  readonly page: number;
  readonly item?: string;
  /** The run the comparison view compares this one with. */
  readonly vs?: string;
  /** The search covers only `cluster` (otherwise the whole run). */
  readonly within?: boolean;
  /** The comparison lists unchanged clusters too. */
  readonly all?: boolean;
  /** Facet filter, `name=value` or `name=min..max` (see facets.ts); carried like `part`. */
  readonly facet?: string;
  /** Cluster lists ranked by a facet measure, `name=value` (a share) or `name` (a mean). */
  readonly rank?: string;
  /** The map coloured by a facet measure, as `rank`. */
  readonly colour?: string;
}

export function parseRoute(hash: string): Route {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const view = params.get('view') as View | null;
  const cluster = /^(\d+)\.(\d+)$/.exec(params.get('c') ?? '');
  const page = Number(params.get('page'));
  const text = (name: string) => params.get(name) || undefined;
  const run = text('run');
  const part = text('part');
  const item = text('item');
  const vs = text('vs');
  const facet = text('f');
  const rank = text('rank');
  const colour = text('colour');
  return {
    ...(run === undefined ? {} : { run }),
    view: view && VIEWS.includes(view) ? view : 'clusters',
    ...(cluster ? { cluster: { level: Number(cluster[1]), id: Number(cluster[2]) } } : {}),
    q: params.get('q') ?? '',
    ...(part === undefined ? {} : { part }),
    page: Number.isInteger(page) && page > 0 ? page : 1,
    ...(item === undefined ? {} : { item }),
    ...(vs === undefined ? {} : { vs }),
    ...(params.get('in') === '1' ? { within: true } : {}),
    ...(params.get('all') === '1' ? { all: true } : {}),
    ...(facet === undefined ? {} : { facet }),
    ...(rank === undefined ? {} : { rank }),
    ...(colour === undefined ? {} : { colour }),
  };
}

export function formatRoute(route: Route): string {
  const params = new URLSearchParams();
  if (route.run) params.set('run', route.run);
  if (route.view !== 'clusters') params.set('view', route.view);
  if (route.cluster) params.set('c', `${route.cluster.level}.${route.cluster.id}`);
  if (route.q) params.set('q', route.q);
  if (route.part) params.set('part', route.part);
  if (route.page > 1) params.set('page', String(route.page));
  if (route.item) params.set('item', route.item);
  if (route.vs) params.set('vs', route.vs);
  if (route.within) params.set('in', '1');
  if (route.all) params.set('all', '1');
  if (route.facet) params.set('f', route.facet);
  if (route.rank) params.set('rank', route.rank);
  if (route.colour) params.set('colour', route.colour);
  return `#${params.toString()}`;
}

/**
 * A link from the current screen: the run and the partition and facet filters carry over, everything else
 * is what `changes` says (so opening a cluster clears the search, the page and the open item).
 */
export function hrefFor(route: Route, changes: Partial<Route>): string {
  const { run, part, facet } = route;
  return formatRoute({
    ...(run === undefined ? {} : { run }),
    ...(part === undefined ? {} : { part }),
    ...(facet === undefined ? {} : { facet }),
    view: 'clusters',
    q: '',
    page: 1,
    ...changes,
  });
}

/**
 * Replaces the current history entry (typing in the search box should not fill Back), or adds
 * one (starting a search: Back returns to the screen it was started from).
 */
export function changeRoute(route: Route, mode: 'push' | 'replace'): void {
  if (mode === 'push') history.pushState(null, '', formatRoute(route));
  else history.replaceState(null, '', formatRoute(route));
  window.dispatchEvent(new HashChangeEvent('hashchange'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

export const sameCluster = (a?: ClusterRef, b?: ClusterRef) =>
  a?.level === b?.level && a?.id === b?.id;
