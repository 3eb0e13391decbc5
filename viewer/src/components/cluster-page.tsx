import { useMemo } from 'preact/hooks';
import type { VizClusterScores } from '../../../lib/viz/format.js';
import { facetListing } from '../facet-listing.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, percent, plural } from '../text.js';
import { useClusterFacets } from '../use-cluster-facets.js';
import { useFacetFilter } from '../use-facet-filter.js';
import { Breadcrumb } from './breadcrumb.js';
import { ClusterList } from './cluster-list.js';
import { FacetDistributions } from './facet-distributions.js';
import { FacetFilterBar } from './facet-filter.js';
import { Members } from './members.js';
import { WhyCluster } from './why-cluster.js';

/** One cluster: where it sits, what it says, its children and its member items. */
export function ClusterPage({ model, route, run }: { model: Model; route: Route; run: string }) {
  const cluster = model.cluster(route.cluster);
  const filter = useFacetFilter(model, route, run);
  const facetsOf = useClusterFacets(model, run, true);
  const matches = filter.state === 'ready' ? filter.matches : undefined;
  const only = useMemo(
    () => cluster && matches?.positions(cluster.start, cluster.start + cluster.size),
    [cluster, matches],
  );
  if (!cluster) {
    return (
      <section>
        <h1>No such cluster</h1>
        <p>
          This run has no cluster {route.cluster?.level}.{route.cluster?.id}.{' '}
          <a href={hrefFor(route, {})}>Back to all clusters</a>
        </p>
      </section>
    );
  }
  const parent = model.parent(cluster);
  // Single children that repeat the name hold the same items: their children are listed here.
  const end = model.chainEnd(cluster);
  const children = model.children(end);
  const listing = facetListing(children, route, filter, facetsOf);
  const levelName =
    end !== cluster
      ? `levels ${cluster.level}–${end.level} (one cluster)`
      : cluster.level === 0
        ? 'base cluster'
        : `level ${cluster.level} cluster`;
  return (
    <article class="cluster">
      <Breadcrumb model={model} route={route} cluster={cluster} view="clusters" />
      <h1 tabIndex={-1} class="clamp" title={cluster.name}>
        <span class="swatch" style={{ background: model.colour(cluster) }} aria-hidden="true" />
        {cluster.name || `Cluster ${cluster.id}`}
      </h1>
      <p class="meta">
        {levelName} · {count(cluster.size)} items · {percent(cluster.size, model.total)} of all
        {parent ? ` · ${percent(cluster.size, parent.size)} of “${parent.name}”` : ''}
        {model.index.partitions.length > 1 ? ` · partition “${cluster.partition}”` : ''}
      </p>
      {cluster.description && <p class="lead">{cluster.description}</p>}
      {model.namedOffline && <OfflineNote />}
      {cluster.scores && <Scores scores={cluster.scores} />}
      <p class="actions">
        <a href={hrefFor(route, { view: 'map', cluster: route.cluster ?? cluster })}>
          Show on the map
        </a>
        {children.length > 0 && (
          <a href={hrefFor(route, { view: 'treemap', cluster: route.cluster ?? cluster })}>
            Show as treemap
          </a>
        )}
      </p>
      <FacetDistributions model={model} distributions={facetsOf?.(cluster)} />
      <WhyCluster model={model} route={route} run={run} cluster={cluster} />
      <FacetFilterBar model={model} route={route} filter={filter} of={cluster} />
      {children.length > 0 && (
        <section aria-labelledby="children-heading">
          <h2 id="children-heading">{plural(children.length, 'child cluster')}</h2>
          <ClusterList
            clusters={listing.clusters}
            whole={listing.whole?.(cluster) ?? cluster.size}
            model={model}
            route={route}
            sizeOf={listing.sizeOf}
            figure={listing.figure}
          />
        </section>
      )}
      <Members model={model} route={route} run={run} cluster={cluster} only={only} />
    </article>
  );
}

/** Offline names are lists of terms, not phrases: say where they come from. */
export function OfflineNote() {
  return (
    <p class="note">
      Named offline: names and descriptions are made from the terms that set each cluster apart from
      the others, without an LLM.
    </p>
  );
}

const share = (x: number | null | undefined) =>
  x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`;

/** The cluster's scores from `open-clio evaluate`, when the run has been evaluated. */
function Scores({ scores }: { scores: VizClusterScores }) {
  const judged: [string, number | null | undefined][] = [
    ['hierarchical fit', scores.hierarchicalFit],
    ['best fit', scores.bestFit],
    ['exclusive fit', scores.exclusiveFit],
  ];
  return (
    <ul class="scores" aria-label="Evaluation">
      {scores.nearestOwn !== undefined && (
        <li title="Share of its items whose own cluster centre is the nearest (summary embeddings)">
          Embedding fit {share(scores.nearestOwn)}
          {scores.meanMargin !== undefined && ` · margin ${scores.meanMargin.toFixed(3)}`}
        </li>
      )}
      {scores.judged !== undefined && (
        <li title="Share of its judged items the LLM judge passed on each check">
          LLM judge ({scores.judged} judged):{' '}
          {judged
            .filter(([, value]) => value !== undefined)
            .map(([label, value]) => `${label} ${share(value)}`)
            .join(' · ')}
        </li>
      )}
    </ul>
  );
}
