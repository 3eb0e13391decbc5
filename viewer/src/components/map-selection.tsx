import { useState } from 'preact/hooks';
import type { VizCluster } from '../../../lib/viz/format.js';
import { loadItems } from '../data.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, plural } from '../text.js';
import { useAsync } from '../use-async.js';
import { PAGE_SIZE } from './members.js';

const LISTED = 20;
const CLUSTERS_LISTED = 8;

/** The items inside a band drawn on the map: which base clusters they come from, then the items. */
export function MapSelection(props: {
  model: Model;
  route: Route;
  run: string;
  positions: readonly number[];
  onClear: () => void;
}) {
  const { model, route, run, positions, onClear } = props;
  const [limit, setLimit] = useState(LISTED);
  const shown = positions.slice(0, limit);
  const items = useAsync(
    () => Promise.all(shown.map((p) => loadItems(run, model.index, p, p + 1).then(([i]) => i))),
    [run, model, positions, limit],
  );
  const byBase = new Map<VizCluster, number>();
  for (const p of positions) {
    const base = model.baseAt(p);
    if (base) byBase.set(base, (byBase.get(base) ?? 0) + 1);
  }
  const bases = [...byBase].sort((a, b) => b[1] - a[1]);
  return (
    <section
      class="selection-panel"
      aria-labelledby="selection-heading"
      data-testid="map-selection"
    >
      <h2 id="selection-heading" tabIndex={-1}>
        {plural(positions.length, 'item')} selected
      </h2>
      <p>
        <button type="button" onClick={onClear}>
          Clear the selection
        </button>
      </p>
      {positions.length > 0 && (
        <>
          <h3>From {plural(bases.length, 'base cluster')}</h3>
          <ul>
            {bases.slice(0, CLUSTERS_LISTED).map(([base, n]) => (
              <li key={base.id}>
                <a href={hrefFor(route, { cluster: { level: 0, id: base.id } })}>{base.name}</a> ·{' '}
                {count(n)} of {count(base.size)}
              </li>
            ))}
            {bases.length > CLUSTERS_LISTED && (
              <li class="muted">and {plural(bases.length - CLUSTERS_LISTED, 'more cluster')}</li>
            )}
          </ul>
          <h3>Items</h3>
          <ol data-testid="selected-items">
            {shown.map((p, i) => {
              const item = items.state === 'done' ? items.value[i] : undefined;
              const base = model.baseAt(p);
              const page = base ? Math.floor((p - base.start) / PAGE_SIZE) + 1 : 1;
              return (
                <li key={p}>
                  {item && base ? (
                    <a
                      href={hrefFor(route, {
                        cluster: { level: 0, id: base.id },
                        page,
                        // The page counts every member, so the facet filter is left behind.
                        facet: undefined,
                        item: item.id,
                      })}
                    >
                      {item.summary}
                    </a>
                  ) : (
                    '…'
                  )}
                </li>
              );
            })}
          </ol>
          {positions.length > shown.length && (
            <button type="button" onClick={() => setLimit(limit + LISTED)}>
              Show {Math.min(LISTED, positions.length - shown.length)} more
            </button>
          )}
        </>
      )}
    </section>
  );
}
