import type { VizCluster } from '../../../lib/viz/format.js';
import type { Model } from '../model.js';
import { hrefFor, type Route, type View } from '../route.js';

/** "All clusters › top › … › here", each step a link back up in the same view. */
export function Breadcrumb(props: {
  model: Model;
  route: Route;
  cluster: VizCluster | undefined;
  view: View;
}) {
  const { model, route, cluster, view } = props;
  const path = cluster ? [...model.ancestors(cluster), cluster] : [];
  // A step whose only child repeats its name is that child's step too.
  const steps = path.filter((c, i) => {
    const next = path[i + 1];
    return !next || model.chainEnd(c) === c || next.name !== c.name;
  });
  return (
    <nav class="breadcrumb" aria-label="Breadcrumb">
      <ol>
        <li>
          <a href={hrefFor(route, { view })} aria-current={cluster ? undefined : 'page'}>
            All clusters
          </a>
        </li>
        {steps.map((c) => (
          <li key={`${c.level}.${c.id}`}>
            <a
              href={hrefFor(route, { view, cluster: { level: c.level, id: c.id } })}
              aria-current={c === cluster ? 'page' : undefined}
              title={c.name}
            >
              {c.name || `Cluster ${c.id}`}
            </a>
          </li>
        ))}
      </ol>
    </nav>
  );
}
