import type { FunctionComponent } from 'preact';
import type { VizRunEntry } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import type { Route } from '../route.js';
import { useAsync } from '../use-async.js';

export interface ViewProps {
  model: Model;
  route: Route;
  run: string;
  runs: readonly VizRunEntry[];
}

/**
 * Views beyond the first screen are fetched when opened, so their code never delays the first
 * render of a big run.
 */
const VIEWS = {
  hierarchy: () => import('./hierarchy.js').then((m) => m.HierarchyView),
  table: () => import('./cluster-table.js').then((m) => m.ClusterTable),
  trends: () => import('./trends.js').then((m) => m.TrendsView),
} satisfies Record<string, () => Promise<FunctionComponent<ViewProps>>>;

export function LazyView({ view, ...props }: ViewProps & { view: keyof typeof VIEWS }) {
  const component = useAsync(VIEWS[view], [view]);
  if (component.state === 'failed') {
    return <p class="error">Cannot load this view: {component.error}</p>;
  }
  if (component.state === 'loading') return <p aria-live="polite">Loading…</p>;
  const View = component.value;
  return <View {...props} />;
}
