import type { Model } from '../model.js';
import type { Route } from '../route.js';
import { count, plural } from '../text.js';
import { ClusterList } from './cluster-list.js';
import { Overview } from './overview.js';

/** The first screen: what the run is, then its top-level clusters. */
export function Home({ model, route }: { model: Model; route: Route; run: string }) {
  const roots = model.visibleRoots(route.part);
  const shown = roots.reduce((sum, c) => sum + c.size, 0);
  return (
    <>
      <Overview model={model} />
      <section aria-labelledby="top-heading">
        <h1 id="top-heading" tabIndex={-1}>
          Top-level clusters
        </h1>
        <p class="muted">
          {plural(roots.length, 'cluster')} holding {count(shown)} of {count(model.total)} items
          {route.part ? ` (partition “${route.part}”)` : ''}. Open one to see its children and
          members.
        </p>
        <ClusterList clusters={roots} whole={model.total} model={model} route={route} />
      </section>
    </>
  );
}
