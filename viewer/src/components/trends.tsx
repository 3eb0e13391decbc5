import { useState } from 'preact/hooks';
import type { Trends } from '../../../lib/trends/types.js';
import type { VizTrends } from '../../../lib/viz/format.js';
import { loadIndex, loadTrends } from '../data.js';
import { hrefFor, type Route } from '../route.js';
import { count } from '../text.js';
import {
  runLabel,
  runToOpen,
  STATUS_LABELS,
  shareText,
  sparkPoints,
  type TrendRow,
  type TrendSort,
  trendRows,
} from '../trends-rows.js';
import { useAsync } from '../use-async.js';
import type { ViewProps } from './lazy-view.js';
import '../trends.css';

type Level = 'top' | 'base';

const SPARK = { width: 220, height: 44, pad: 6 } as const;

/** Each cluster's share of every kept run of the config, with what grew, shrank, came or went. */
export function TrendsView({ route }: ViewProps) {
  const trends = useAsync(() => loadTrends(route.run), [route.run]);
  return (
    <section aria-labelledby="trends-heading" class="trends">
      <h1 id="trends-heading" tabIndex={-1}>
        Trends
      </h1>
      {trends.state === 'loading' && <p aria-live="polite">Loading the run history…</p>}
      {trends.state === 'failed' && (
        <p class="error">Cannot load the run history: {trends.error}</p>
      )}
      {trends.state === 'done' && <History history={trends.value} route={route} />}
    </section>
  );
}

function History({ history, route }: { history: VizTrends | null; route: Route }) {
  if (history === null) {
    return (
      <p data-testid="trends-empty">
        There is no run history here: trends show the kept runs of one config. Open the explorer on
        that config's save_path (<code>open-clio viz --config …</code>) to see them.
      </p>
    );
  }
  const runs = history.top.runs.length;
  return (
    <>
      {runs < 2 ? (
        <p data-testid="trends-empty">
          Trends need at least two runs of this config: its save_path keeps{' '}
          {runs === 0 ? 'none' : 'one'} so far. Each <code>open-clio generate</code> of the config
          adds one (unless the config sets <code>"history": 0</code>).
        </p>
      ) : (
        <Chart history={history} route={route} />
      )}
      {history.problems.length > 0 && (
        <ul class="muted">
          {history.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </>
  );
}

function Chart({ history, route }: { history: VizTrends; route: Route }) {
  const [level, setLevel] = useState<Level>('top');
  const [sort, setSort] = useState<TrendSort>('latest');
  const [note, setNote] = useState('');
  const trends = history[level];
  const { runs, thresholds } = trends;
  const rows = trendRows(trends, sort);
  const open = (row: TrendRow, r: number) =>
    openCluster(history, trends, row, r, route, setNote).catch((error: unknown) =>
      setNote(`Cannot open the cluster: ${error instanceof Error ? error.message : error}`),
    );
  return (
    <>
      <p class="muted">
        {runs.length} runs of this config, oldest first. Each line is a cluster's share of its run's
        items, drawn from 0 up to its own highest share (hollow where the run lacks it); select a
        point to open the cluster in that run. The badges compare the latest run with the one before
        (share changed by at least {thresholds.minPoints} pp and {thresholds.minRatio}×).
      </p>
      <ol class="trend-runs" aria-label="Runs">
        {runs.map((run, r) => (
          <li key={run.runId}>
            <strong>#{r + 1}</strong> {runLabel(run)} · {count(run.items)} items
            {history.shown[run.runId] === undefined && (
              <span class="muted"> (no longer kept in the explorer)</span>
            )}
          </li>
        ))}
      </ol>
      <form class="trend-tools" onSubmit={(e) => e.preventDefault()}>
        <label>
          Level{' '}
          <select
            value={level}
            onChange={(e) => setLevel(e.currentTarget.value === 'base' ? 'base' : 'top')}
          >
            <option value="top">Top-level clusters</option>
            <option value="base">Base clusters</option>
          </select>
        </label>
        <label>
          Sort by{' '}
          <select
            value={sort}
            onChange={(e) => setSort(e.currentTarget.value === 'change' ? 'change' : 'latest')}
          >
            <option value="latest">Latest share</option>
            <option value="change">Change since the run before</option>
          </select>
        </label>
      </form>
      <p class="trend-note" role="status" data-testid="trend-note">
        {note}
      </p>
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Change</th>
              <th scope="col">Cluster</th>
              <th scope="col">Share per run (#1 → #{runs.length})</th>
              <th scope="col" class="num">
                Latest
              </th>
              <th scope="col" class="num">
                Δ share
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <Row key={row.key} row={row} trends={trends} shown={history.shown} open={open} />
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function Row(props: {
  row: TrendRow;
  trends: Trends;
  shown: VizTrends['shown'];
  open: (row: TrendRow, r: number) => void;
}) {
  const { row, trends, open } = props;
  const label = row.status && STATUS_LABELS[row.status];
  return (
    <tr data-testid="trend-row" data-key={row.key} data-status={row.status ?? ''}>
      <td class="status">{label && <span class={`change ${row.status}`}>{label}</span>}</td>
      <td class="name">
        <button
          type="button"
          class="linklike"
          title="Open it in the latest kept run that has it"
          onClick={() => open(row, runToOpen(row, trends.runs, props.shown))}
        >
          {row.name || row.key}
        </button>
      </td>
      <td>
        <Sparkline row={row} trends={trends} open={open} />
      </td>
      <td class="num">{shareText(row.latest, row.sizes[row.sizes.length - 1] ?? 0)}</td>
      <td class="num">
        {row.change >= 0 ? '+' : '−'}
        {Math.abs(row.change).toFixed(1)} pp
      </td>
    </tr>
  );
}

/** The share per run as a line; each run where the cluster exists is a point that opens it. */
function Sparkline(props: {
  row: TrendRow;
  trends: Trends;
  open: (row: TrendRow, r: number) => void;
}) {
  const { row, trends, open } = props;
  const points = sparkPoints(row.shares, Math.max(...row.shares), SPARK);
  const line = points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
  return (
    <svg
      class="spark"
      width={SPARK.width}
      height={SPARK.height}
      viewBox={`0 0 ${SPARK.width} ${SPARK.height}`}
    >
      <title>{`Share of “${row.name}” per run`}</title>
      <polyline points={line} class="spark-line" />
      {points.map((p, r) => {
        const run = trends.runs[r];
        const size = row.sizes[r] ?? 0;
        const text = `Run #${r + 1}${run ? ` (${runLabel(run)})` : ''}: ${shareText(row.shares[r] ?? 0, size)}`;
        if (size === 0) {
          return (
            <circle key={run?.runId ?? r} cx={p.x} cy={p.y} r={3} class="spark-absent">
              <title>{`${text}, not in this run`}</title>
            </circle>
          );
        }
        const activate = () => open(row, r);
        return (
          // biome-ignore lint/a11y/useSemanticElements: an SVG point cannot be a <button>.
          <circle
            key={run?.runId ?? r}
            cx={p.x}
            cy={p.y}
            r={4.5}
            class="spark-point"
            role="button"
            // Lower-case: on SVG, Preact sets attributes as written and only `tabindex` counts.
            tabindex={0}
            aria-label={`${text}: open it in that run`}
            data-testid="trend-point"
            data-run={r + 1}
            onClick={activate}
            onKeyDown={(e) => {
              if (e.key !== 'Enter' && e.key !== ' ') return;
              e.preventDefault();
              activate();
            }}
          >
            <title>{text}</title>
          </circle>
        );
      })}
    </svg>
  );
}

/**
 * Opens the cluster in run `r` when the explorer still has that run (found by its stable key in
 * the run's index), else says why it cannot.
 */
async function openCluster(
  history: VizTrends,
  trends: Trends,
  row: TrendRow,
  r: number,
  route: Route,
  say: (note: string) => void,
): Promise<void> {
  const run = trends.runs[r];
  if (!run) return;
  const which = `run #${r + 1} (${runLabel(run)})`;
  const key = history.shown[run.runId];
  if (key === undefined) {
    say(
      `“${row.name}” is from ${which}, which is no longer kept: the explorer has only the newest runs.`,
    );
    return;
  }
  say(`Opening “${row.name}” in ${which}…`);
  const index = await loadIndex(key);
  const top = Math.max(...index.levels.map((l) => l.level));
  const wanted = trends.level === 'base' ? 0 : trends.level === 'top' ? top : trends.level;
  const matches = index.clusters.filter((c) => c.key === row.key);
  const cluster = matches.find((c) => c.level === wanted) ?? matches[0];
  if (!cluster) {
    say(`${which} has no cluster “${row.name}” any more.`);
    return;
  }
  location.hash = hrefFor(route, {
    run: key,
    cluster: { level: cluster.level, id: cluster.id },
  });
}
