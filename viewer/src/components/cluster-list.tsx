import type { VizCluster } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, percent } from '../text.js';
import '../facets.css';

/** Clusters as rows with a share bar; each row links to its cluster page. */
export function ClusterList(props: {
  clusters: readonly VizCluster[];
  /** What the shares are of: all items, or the parent's. */
  whole: number;
  model: Model;
  route: Route;
  /** Items counted per cluster, when a facet filter narrows them (otherwise its size). */
  sizeOf?: ((c: VizCluster) => number) | undefined;
  /** A figure shown after the counts, such as the facet measure the list is ranked by. */
  figure?: ((c: VizCluster) => string) | undefined;
}) {
  const { clusters, whole, model, route, figure } = props;
  const sizeOf = props.sizeOf ?? ((c: VizCluster) => c.size);
  if (clusters.length === 0) return <p class="muted">No clusters here.</p>;
  const largest = Math.max(1, ...clusters.map(sizeOf));
  return (
    <ol class="clusters">
      {clusters.map((c) => (
        <li key={`${c.level}.${c.id}`} data-testid="cluster-row">
          <a href={hrefFor(route, { cluster: { level: c.level, id: c.id } })}>
            <span class="name" title={c.name}>
              {c.name || `Cluster ${c.id}`}
            </span>
            <span class="figures">
              {count(sizeOf(c))} · {percent(sizeOf(c), whole)}
            </span>
            {figure && <span class="list-figure">{figure(c)}</span>}
            <span class="bar" aria-hidden="true">
              <span
                style={{ width: `${(100 * sizeOf(c)) / largest}%`, background: model.colour(c) }}
              />
            </span>
          </a>
          {c.description && <p class="description">{c.description}</p>}
        </li>
      ))}
    </ol>
  );
}
