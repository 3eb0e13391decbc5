import { useState } from 'preact/hooks';
import type { VizCluster, VizClusterInsight } from '../../../lib/viz/format.js';
import { loadInsight } from '../data.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count } from '../text.js';
import { useAsync } from '../use-async.js';
import '../views.css';

const pct = (x: number) => `${Math.round(100 * x)}%`;

/**
 * Why this is a cluster: the terms its members use more than the rest of its level, the clusters
 * most like it, and (with labelled items) which labels it holds. Loaded when opened: the server
 * makes these for the whole run on first request, seconds for 100k items, and the page's own
 * items should not wait behind that.
 */
export function WhyCluster(props: {
  model: Model;
  route: Route;
  run: string;
  cluster: VizCluster;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details
      class="why"
      data-testid="why"
      onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}
    >
      <summary>
        <h2>Why this cluster</h2>
        <span class="muted">
          distinctive terms, nearest clusters{props.model.index.labelled ? ', label mix' : ''}
        </span>
      </summary>
      {open && <WhyContent {...props} />}
    </details>
  );
}

function WhyContent(props: { model: Model; route: Route; run: string; cluster: VizCluster }) {
  const { model, route, run, cluster } = props;
  const insight = useAsync(() => loadInsight(run), [run]);
  return (
    <>
      {insight.state === 'loading' && <p aria-live="polite">Loading…</p>}
      {insight.state === 'failed' && <p class="error">Cannot load: {insight.error}</p>}
      {insight.state === 'done' && (
        <Insight
          model={model}
          route={route}
          cluster={cluster}
          similarity={insight.value.similarity}
          insight={insight.value.clusters.find(
            (c) => c.level === cluster.level && c.id === cluster.id,
          )}
        />
      )}
    </>
  );
}

function Insight(props: {
  model: Model;
  route: Route;
  cluster: VizCluster;
  similarity: boolean;
  insight: VizClusterInsight | undefined;
}) {
  const { model, route, cluster, similarity, insight } = props;
  if (!insight) return <p class="muted">Nothing recorded for this cluster.</p>;
  const others =
    cluster.level === model.topLevel ? 'other top-level clusters' : 'the rest of its level';
  return (
    <>
      <h3>Distinctive terms</h3>
      {insight.terms.length === 0 ? (
        <p class="muted">No term stands out.</p>
      ) : (
        <ul aria-label="Distinctive terms" data-testid="why-terms">
          {insight.terms.map((t) => (
            <li key={t.term}>
              <span>{t.term}</span>
              <Weight
                value={t.share}
                text={`${pct(t.share)} of members · ${pct(t.elsewhere)} of ${others}`}
              />
            </li>
          ))}
        </ul>
      )}
      <h3>Nearest clusters</h3>
      {!similarity ? (
        <p class="muted">
          This run has no centroids.json beside it (runs before cluster keys), so similarity cannot
          be shown.
        </p>
      ) : insight.nearest.length === 0 ? (
        <p class="muted">No other cluster at this level.</p>
      ) : (
        <ul aria-label="Nearest clusters" data-testid="why-nearest">
          {insight.nearest.map((n) => {
            const other = model.cluster({ level: cluster.level, id: n.id });
            return (
              <li key={n.id}>
                <a href={hrefFor(route, { cluster: { level: cluster.level, id: n.id } })}>
                  {other?.name ?? `Cluster ${n.id}`}
                </a>
                <Weight
                  value={Math.max(0, n.similarity)}
                  text={`similarity ${n.similarity.toFixed(2)}${other ? ` · ${count(other.size)} items` : ''}`}
                />
              </li>
            );
          })}
        </ul>
      )}
      {insight.labels && (
        <>
          <h3>Label mix (purity {pct(insight.purity ?? 0)})</h3>
          <ul aria-label="Label mix" data-testid="why-labels">
            {insight.labels.map((l) => (
              <li key={l.label}>
                <span>{l.label || '(no label)'}</span>
                <Weight
                  value={l.count / cluster.size}
                  text={`${count(l.count)} · ${pct(l.count / cluster.size)}`}
                />
              </li>
            ))}
            {insight.otherLabels !== undefined && (
              <li>
                <span class="muted">other labels</span>
                <Weight
                  value={insight.otherLabels / cluster.size}
                  text={`${count(insight.otherLabels)} · ${pct(insight.otherLabels / cluster.size)}`}
                />
              </li>
            )}
          </ul>
        </>
      )}
    </>
  );
}

function Weight({ value, text }: { value: number; text: string }) {
  return (
    <span class="weight">
      <span class="weight-bar" aria-hidden="true">
        <span style={{ width: `${Math.round(100 * Math.min(1, value))}%` }} />
      </span>
      {text}
    </span>
  );
}
