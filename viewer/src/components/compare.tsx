import {
  CHANGE_ORDER,
  type ChangeStatus,
  type ClusterChange,
  type ClusterSide,
  type Comparison,
  type LevelComparison,
} from '../../../lib/compare/types.js';
import type { VizRunEntry } from '../../../lib/viz/format.js';
import { loadComparison } from '../data.js';
import { changeRoute, formatRoute, hrefFor, type Route } from '../route.js';
import { count, dateTime } from '../text.js';
import { useAsync } from '../use-async.js';

const LABELS: Record<ChangeStatus, string> = {
  new: 'new',
  vanished: 'vanished',
  growing: 'growing',
  shrinking: 'shrinking',
  stable: 'unchanged',
};

/**
 * The run it makes most sense to compare with: the one this run replaced, else the latest run
 * made before it, else any other.
 */
function defaultOther(run: VizRunEntry, runs: readonly VizRunEntry[]): VizRunEntry | undefined {
  const others = runs.filter((r) => r.key !== run.key);
  const earlier = others
    .filter((r) => r.createdAt <= run.createdAt)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return others.find((r) => r.previousOf === run.key) ?? earlier[0] ?? others[0];
}

/** What changed from another run to this one: new, vanished, growing and shrinking clusters. */
export function CompareView(props: {
  run: VizRunEntry;
  runs: readonly VizRunEntry[];
  route: Route;
}) {
  const { run, runs, route } = props;
  const other =
    runs.find((r) => r.key === route.vs && r.key !== run.key) ?? defaultOther(run, runs);
  const all = route.all === true;
  const comparison = useAsync(
    () => (other ? loadComparison(run.key, other.key) : Promise.reject(new Error('no other run'))),
    [run.key, other?.key],
  );
  return (
    <section aria-labelledby="compare-heading" class="compare">
      <h1 id="compare-heading" tabIndex={-1}>
        Compare runs
      </h1>
      <form class="compare-controls" onSubmit={(e) => e.preventDefault()}>
        <label>
          From{' '}
          <select
            aria-label="Compare with"
            value={other?.key ?? ''}
            onChange={(e) => {
              location.hash = formatRoute({ ...route, vs: e.currentTarget.value });
            }}
          >
            {runs
              .filter((r) => r.key !== run.key)
              .map((r) => (
                <option key={r.key} value={r.key}>
                  {r.name} ({dateTime(r.createdAt)})
                </option>
              ))}
          </select>
        </label>{' '}
        to <strong>{run.name}</strong>
        <label class="toggle">
          <input
            type="checkbox"
            checked={all}
            onChange={(e) => {
              const { all: _shown, ...rest } = route;
              changeRoute(e.currentTarget.checked ? { ...rest, all: true } : rest, 'replace');
            }}
          />{' '}
          Show unchanged clusters
        </label>
      </form>
      {comparison.state === 'loading' && <p aria-live="polite">Comparing…</p>}
      {comparison.state === 'failed' && (
        <p class="error">Cannot compare the runs: {comparison.error}</p>
      )}
      {comparison.state === 'done' && other && (
        <Result comparison={comparison.value} all={all} route={route} from={other.key} />
      )}
    </section>
  );
}

function Result(props: { comparison: Comparison; all: boolean; route: Route; from: string }) {
  const { comparison, all } = props;
  const { a, b } = comparison;
  const levels = [...comparison.levels].reverse();
  return (
    <>
      <p class="muted">
        {count(a.items)} items → {count(b.items)} items. Shares are of each run's items; a matched
        cluster grows or shrinks when its share changes by at least{' '}
        {comparison.thresholds.minPoints} percentage points and {comparison.thresholds.minRatio}×.
        {comparison.centroids ? '' : ' Matched by keys, shared items and names (no centroids).'}
      </p>
      {levels.map((level) => (
        <LevelTable key={level.level} {...props} level={level} top={comparison.levels.length - 1} />
      ))}
      {!all && <p class="muted">Unchanged clusters are hidden.</p>}
    </>
  );
}

function LevelTable(props: {
  level: LevelComparison;
  top: number;
  all: boolean;
  route: Route;
  from: string;
}) {
  const { level, top, all } = props;
  const { part } = props.route;
  const rows = level.changes.filter(
    (c) =>
      (all || c.status !== 'stable') && (part === undefined || (c.b ?? c.a)?.partition === part),
  );
  const where = level.level === top ? ' (top)' : level.level === 0 ? ' (base)' : '';
  const summary = CHANGE_ORDER.filter((s) => level.counts[s] > 0)
    .map((s) => `${count(level.counts[s])} ${LABELS[s]}`)
    .join(', ');
  return (
    <section aria-label={`Level ${level.level}`} data-testid="compare-level">
      <h2>
        Level {level.level}
        {where}: {count(level.clustersA)} → {count(level.clustersB)} clusters
      </h2>
      <p class="muted">{summary || 'no clusters'}</p>
      {rows.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Cluster</th>
              <th scope="col" class="num">
                Before
              </th>
              <th scope="col" class="num">
                After
              </th>
              <th scope="col" class="num">
                Δ share
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((change) => (
              <Row key={`${change.a?.id}-${change.b?.id}`} change={change} {...props} />
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function Row(props: { change: ClusterChange; level: LevelComparison; route: Route; from: string }) {
  const { change, level, route, from } = props;
  const side = change.b ?? change.a;
  // A vanished cluster exists only in the other run: link there.
  const href = change.b
    ? hrefFor(route, { cluster: { level: level.level, id: change.b.id } })
    : formatRoute({
        run: from,
        view: 'clusters',
        q: '',
        page: 1,
        cluster: { level: level.level, id: change.a?.id ?? 0 },
      });
  const renamed = change.a && change.b && change.a.name !== change.b.name ? change.a.name : null;
  return (
    <tr data-testid="change-row" data-status={change.status}>
      <td class="status">
        <span class={`change ${change.status}`}>{LABELS[change.status]}</span>
      </td>
      <td class="name">
        <a href={href}>{side?.name || `Cluster ${side?.id}`}</a>
        {renamed && <span class="muted"> (was “{renamed}”)</span>}
      </td>
      <td class="num" data-label="Before">
        {figures(change.a)}
      </td>
      <td class="num" data-label="After">
        {figures(change.b)}
      </td>
      <td class="num" data-label="Δ share">
        {change.shareChange >= 0 ? '+' : '−'}
        {Math.abs(change.shareChange).toFixed(1)} pp
      </td>
    </tr>
  );
}

function figures(side: ClusterSide | null): string {
  return side ? `${count(side.size)} · ${(side.share * 100).toFixed(1)}%` : '–';
}
