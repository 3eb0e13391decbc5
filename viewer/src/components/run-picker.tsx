import type { VizRunEntry } from '../../../lib/viz/format.js';
import { hrefFor, type Route } from '../route.js';
import { usePageTitle } from '../screen.js';
import { count, dateTime } from '../text.js';

/** Shown when the data folder holds several runs and the link names none of them. */
export function RunPicker({ runs, route }: { runs: readonly VizRunEntry[]; route: Route }) {
  usePageTitle('Choose a run · OpenCLIO explorer');
  const newest = [...runs].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return (
    <main id="main" class="picker">
      <h1>Choose a run</h1>
      {route.run && <p class="error">There is no run “{route.run}” here.</p>}
      {runs.length === 0 && <p>No runs yet: run “open-clio generate” first.</p>}
      <ul>
        {newest.map((run) => (
          <li key={run.key} data-testid="run">
            <a href={hrefFor({ view: 'clusters', q: '', page: 1 }, { run: run.key })}>{run.name}</a>
            <span class="muted">
              {' '}
              {dateTime(run.createdAt)} · {count(run.items)} items
              {run.source ? ` · ${run.source}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </main>
  );
}
