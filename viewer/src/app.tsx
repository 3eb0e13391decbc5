import { useMemo } from 'preact/hooks';
import type { VizRunEntry } from '../../lib/viz/format.js';
import { ClusterPage } from './components/cluster-page.js';
import { CompareView } from './components/compare.js';
import { Header } from './components/header.js';
import { Home } from './components/home.js';
import { LazyView } from './components/lazy-view.js';
import { MapView } from './components/map.js';
import { RunDetails } from './components/run-details.js';
import { RunPicker } from './components/run-picker.js';
import { SearchResults } from './components/search.js';
import { Treemap } from './components/treemap.js';
import { loadIndex, loadRuns } from './data.js';
import { Model } from './model.js';
import { type Route, useRoute } from './route.js';
import { screenTitle, usePageTitle, useScreenFocus } from './screen.js';
import { useAsync } from './use-async.js';

export function App() {
  const route = useRoute();
  const runs = useAsync(loadRuns, []);
  if (runs.state === 'loading') return <Status text="Loading…" />;
  if (runs.state === 'failed') return <Status text={`Cannot load the runs: ${runs.error}`} />;
  const list = runs.value.runs;
  // A run folder's own previous run is listed for comparing; the folder still opens on its run.
  const primary = list.filter((r) => r.previousOf === undefined);
  const run =
    list.find((r) => r.key === route.run) ?? (primary.length === 1 ? primary[0] : undefined);
  if (!run) return <RunPicker runs={list} route={route} />;
  const missing = route.run !== undefined && route.run !== run.key ? route.run : undefined;
  return <RunView key={run.key} run={run} runs={list} route={route} missing={missing} />;
}

function RunView({
  run,
  runs,
  route,
  missing,
}: {
  run: VizRunEntry;
  runs: readonly VizRunEntry[];
  route: Route;
  /** A run the link named that is not here (this one is shown instead). */
  missing: string | undefined;
}) {
  const index = useAsync(() => loadIndex(run.key), [run.key]);
  const model = useMemo(
    () => (index.state === 'done' ? new Model(index.value) : undefined),
    [index],
  );
  // Opening an item, typing a search or turning a page keeps the place (the pager sees to focus).
  useScreenFocus(
    model && `${route.view}|${route.cluster?.level}.${route.cluster?.id}|${Boolean(route.q)}`,
  );
  usePageTitle(model ? screenTitle(route, model, run.name) : `Loading ${run.name}…`);
  if (index.state === 'failed') return <Status text={`Cannot load ${run.name}: ${index.error}`} />;
  if (!model) return <Status text={`Loading ${run.name}…`} />;
  const props = { model, route, run: run.key };
  return (
    <>
      <Header model={model} route={route} runs={runs} run={run} />
      <main id="main">
        {missing !== undefined && (
          <p class="error" role="alert">
            There is no run “{missing}” here; showing “{run.name}”.
          </p>
        )}
        {route.q ? (
          <SearchResults {...props} />
        ) : route.view === 'treemap' ? (
          <Treemap {...props} />
        ) : route.view === 'map' ? (
          <MapView {...props} />
        ) : route.view === 'hierarchy' || route.view === 'table' || route.view === 'trends' ? (
          <LazyView view={route.view} {...props} runs={runs} />
        ) : route.view === 'compare' && runs.length > 1 ? (
          <CompareView run={run} runs={runs} route={route} />
        ) : route.view === 'run' ? (
          <RunDetails model={model} />
        ) : route.cluster ? (
          <ClusterPage {...props} />
        ) : (
          <Home {...props} />
        )}
      </main>
    </>
  );
}

function Status({ text }: { text: string }) {
  return (
    <main id="main" class="status" aria-live="polite">
      <p>{text}</p>
    </main>
  );
}
