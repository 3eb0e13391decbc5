import { useEffect, useMemo, useState } from 'preact/hooks';
import { loadComparison, loadInsight } from '../data.js';
import { describeFacetMeasure, measureText, parseFacetMeasure } from '../facets.js';
import { hrefFor } from '../route.js';
import { rowsCsv, type SortKey, sortRows, type TableRow, tableRows } from '../table-rows.js';
import { count, plural } from '../text.js';
import { useAsync } from '../use-async.js';
import { useClusterFacets } from '../use-cluster-facets.js';
import { FacetMeasurePicker } from './facet-measure.js';
import type { ViewProps } from './lazy-view.js';
import '../views.css';

const SHOWN_ROWS = 100;

interface Column {
  readonly key: SortKey;
  readonly label: string;
  readonly numeric: boolean;
  readonly show: (row: TableRow) => string;
}

const pct = (x: number | undefined) => (x === undefined ? '–' : `${(100 * x).toFixed(1)}%`);
const points = (x: number | undefined) =>
  x === undefined ? '–' : `${x > 0 ? '+' : x < 0 ? '−' : '±'}${Math.abs(x).toFixed(1)} pt`;

/**
 * Every cluster of every level as one sortable, filterable table (size, share, change since the
 * previous run, evaluation scores, label purity), exportable as CSV.
 */
export function ClusterTable({ model, route, run, runs }: ViewProps) {
  const previous = runs.find((r) => r.previousOf === run);
  // Only label purity comes from insight.json, which costs the server seconds on a big run.
  const insight = useAsync(
    () => (model.index.labelled ? loadInsight(run) : Promise.resolve(undefined)),
    [run, model],
  );
  const comparison = useAsync(
    () => (previous ? loadComparison(run, previous.key) : Promise.resolve(undefined)),
    [run, previous?.key],
  );
  const [filter, setFilter] = useState('');
  const [level, setLevel] = useState('all');
  const measure = parseFacetMeasure(route.rank);
  const facetsOf = useClusterFacets(model, run, measure !== undefined);
  // Choosing a facet to rank by sorts by it; the headings still re-sort.
  const [sort, setSort] = useState<{ key: SortKey; ascending: boolean }>({
    key: measure ? 'facet' : 'size',
    ascending: false,
  });
  useEffect(() => setSort({ key: measure ? 'facet' : 'size', ascending: false }), [route.rank]);
  const [showAll, setShowAll] = useState(false);

  const all = useMemo(
    () =>
      tableRows(
        model.index.clusters,
        model.total,
        insight.state === 'done' ? insight.value : undefined,
        comparison.state === 'done' ? comparison.value : undefined,
        measure && facetsOf ? { measure, facetsOf } : undefined,
      ),
    [model, insight, comparison, route.rank, facetsOf],
  );
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const rows = sortRows(
    all.filter(
      (r) =>
        (level === 'all' || r.level === Number(level)) &&
        (route.part === undefined || r.cluster.partition === route.part) &&
        words.every((w) => r.name.toLowerCase().includes(w)),
    ),
    sort.key,
    sort.ascending,
  );
  const figure = (key: SortKey, label: string, show: (r: TableRow) => string): Column => ({
    key,
    label,
    numeric: true,
    show,
  });
  const columns: Column[] = [
    { key: 'name', label: 'Cluster', numeric: false, show: (r) => r.name },
    figure('level', 'Level', (r) => String(r.level)),
    figure('size', 'Items', (r) => count(r.size)),
    figure('share', 'Share', (r) => pct(r.share)),
    ...(previous ? [figure('change', 'Change', (r) => points(r.change))] : []),
    ...(all.some((r) => r.embeddingFit !== undefined)
      ? [figure('embeddingFit', 'Embedding fit', (r) => pct(r.embeddingFit))]
      : []),
    ...(all.some((r) => r.judgeFit !== undefined)
      ? [figure('judgeFit', 'Judge fit', (r) => pct(r.judgeFit))]
      : []),
    ...(model.index.labelled ? [figure('purity', 'Label purity', (r) => pct(r.purity))] : []),
    ...(measure
      ? [figure('facet', describeFacetMeasure(measure), (r) => measureText(measure, r.facet))]
      : []),
  ];
  const shown = showAll ? rows : rows.slice(0, SHOWN_ROWS);

  return (
    <section aria-labelledby="table-heading" class="cluster-table">
      <h1 id="table-heading">Cluster table</h1>
      <p class="muted">
        Every cluster of every level. Select a column heading to sort by it.
        {!previous && ' Change appears when the run folder holds a previous run.'}
        {model.index.labelled && insight.state === 'loading' && ' Loading label purity…'}
      </p>
      <div class="table-tools">
        <label>
          Name contains{' '}
          <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        </label>
        <label>
          Level{' '}
          <select value={level} onChange={(e) => setLevel(e.currentTarget.value)}>
            <option value="all">All levels</option>
            {model.index.levels.map((l) => (
              <option key={l.level} value={String(l.level)}>
                {l.level === 0
                  ? 'Base (0)'
                  : l.level === model.topLevel
                    ? `Top (${l.level})`
                    : l.level}
              </option>
            ))}
          </select>
        </label>
        <FacetMeasurePicker
          model={model}
          route={route}
          field="rank"
          label="Facet column"
          none="none"
        />
        <button type="button" onClick={() => downloadCsv(rows)}>
          Download CSV ({plural(rows.length, 'row')})
        </button>
      </div>
      <p class="muted" aria-live="polite" data-testid="table-count">
        {plural(rows.length, 'cluster')}
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus so keyboard users can scroll it */}
      <section class="table-scroll" tabIndex={0} aria-label="Clusters, scrolls sideways">
        <table data-testid="cluster-table">
          <thead>
            <tr>
              {columns.map((column) => {
                const active = sort.key === column.key;
                return (
                  <th
                    key={column.key}
                    scope="col"
                    class={column.numeric ? 'num' : undefined}
                    aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : undefined}
                  >
                    <button
                      type="button"
                      onClick={() =>
                        setSort({
                          key: column.key,
                          // A new column starts with what users look for first: A–Z, or biggest.
                          ascending: active ? !sort.ascending : !column.numeric,
                        })
                      }
                    >
                      {column.label}
                      <span aria-hidden="true">{active ? (sort.ascending ? ' ▲' : ' ▼') : ''}</span>
                    </button>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={`${row.level}.${row.cluster.id}`} data-testid="table-row">
                {columns.map((column) =>
                  column.key === 'name' ? (
                    <th key="name" scope="row">
                      <span
                        class="swatch"
                        style={{ background: model.colour(row.cluster) }}
                        aria-hidden="true"
                      />
                      <a
                        href={hrefFor(route, {
                          cluster: { level: row.level, id: row.cluster.id },
                        })}
                      >
                        {row.name}
                      </a>
                    </th>
                  ) : (
                    <td key={column.key} class="num">
                      {column.show(row)}
                    </td>
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {rows.length > shown.length && (
        <button type="button" onClick={() => setShowAll(true)}>
          Show all {count(rows.length)} clusters
        </button>
      )}
    </section>
  );
}

/** The rows as filtered and sorted, saved by the browser as `clusters.csv`. */
function downloadCsv(rows: readonly TableRow[]): void {
  const url = URL.createObjectURL(new Blob([rowsCsv(rows)], { type: 'text/csv;charset=utf-8' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = 'clusters.csv';
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
