import { useEffect, useRef, useState } from 'preact/hooks';
import type { VizRunEntry } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import { changeRoute, formatRoute, hrefFor, type Route, type View } from '../route.js';
import { count } from '../text.js';

const TABS: readonly [View, string][] = [
  ['clusters', 'Clusters'],
  ['treemap', 'Treemap'],
  ['hierarchy', 'Hierarchy'],
  ['map', 'Map'],
  ['table', 'Table'],
  ['run', 'Run'],
  ['trends', 'Trends'],
];

/** Shown when there is another run to compare with. */
const COMPARE_TAB: [View, string] = ['compare', 'Compare'];

/** Typing waits this long before searching, so 100k summaries are not scanned per keystroke. */
const SEARCH_DELAY_MS = 200;

export function Header(props: {
  model: Model;
  route: Route;
  runs: readonly VizRunEntry[];
  run: VizRunEntry;
}) {
  const { model, route, runs, run } = props;
  const partitions = model.index.partitions;
  const go = (next: Route) => {
    location.hash = formatRoute(next);
  };
  return (
    <header class="top">
      <div class="topbar">
        <a class="brand" href={hrefFor(route, {})}>
          OpenCLIO explorer
        </a>
        {runs.length > 1 && (
          <select
            aria-label="Run"
            value={run.key}
            onChange={(e) => go({ view: 'clusters', q: '', page: 1, run: e.currentTarget.value })}
          >
            {runs.map((r) => (
              <option key={r.key} value={r.key}>
                {r.name}
              </option>
            ))}
          </select>
        )}
        <SearchBox route={route} />
        {partitions.length > 1 && (
          <select
            aria-label="Partition"
            value={route.part ?? ''}
            onChange={(e) => {
              const part = e.currentTarget.value;
              const { part: _old, ...rest } = route;
              go(part ? { ...rest, part, page: 1 } : { ...rest, page: 1 });
            }}
          >
            <option value="">All partitions</option>
            {partitions.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name} ({count(p.items)})
              </option>
            ))}
          </select>
        )}
      </div>
      <nav class="tabs" aria-label="Views">
        {(runs.length > 1 ? [...TABS, COMPARE_TAB] : TABS).map(([view, label]) => {
          const { cluster } = route;
          const current = !route.q && route.view === view;
          return (
            <a
              key={view}
              href={hrefFor(route, { view, ...(cluster ? { cluster } : {}) })}
              aria-current={current ? 'page' : undefined}
            >
              {label}
            </a>
          );
        })}
      </nav>
    </header>
  );
}

function SearchBox({ route }: { route: Route }) {
  const [text, setText] = useState(route.q);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  // Follow the URL when it changes from outside (Back, a link, a cleared search).
  useEffect(() => setText(route.q), [route.q]);
  const apply = (q: string) => {
    clearTimeout(timer.current);
    const next = q.trim() === '' ? '' : q;
    if (next === route.q) return;
    // A new search starts over the whole run; refining one keeps its scope.
    const { within: _scope, ...rest } = route;
    const starting = route.q === '';
    changeRoute({ ...(starting ? rest : route), q: next, page: 1 }, starting ? 'push' : 'replace');
  };
  return (
    <form
      class="search"
      onSubmit={(e) => {
        e.preventDefault();
        apply(text);
      }}
    >
      <input
        type="search"
        aria-label="Search clusters and summaries"
        placeholder="Search clusters and summaries"
        value={text}
        onInput={(e) => {
          const q = e.currentTarget.value;
          setText(q);
          clearTimeout(timer.current);
          timer.current = setTimeout(() => apply(q), SEARCH_DELAY_MS);
        }}
      />
    </form>
  );
}
