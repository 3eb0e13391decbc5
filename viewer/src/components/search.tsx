import { useEffect, useState } from 'preact/hooks';
import { loadSearchShard } from '../data.js';
import type { FacetMatches } from '../facets.js';
import type { Model } from '../model.js';
import { formatRoute, hrefFor, type Route } from '../route.js';
import { count, Highlight, matchesAll, plural, searchTerms } from '../text.js';
import { useFacetFilter } from '../use-facet-filter.js';
import { FacetFilterBar } from './facet-filter.js';
import { PAGE_SIZE } from './members.js';

const SHOWN_CLUSTERS = 30;
const SHOWN_ITEMS = 100;

interface ItemHit {
  readonly position: number;
  readonly id: string;
  readonly summary: string;
}

interface ItemSearch {
  readonly hits: readonly ItemHit[];
  readonly matched: number;
  readonly scanned: number;
  readonly done: boolean;
  readonly error?: string;
}

/**
 * Matches every term (case-insensitive) in cluster names and descriptions at once, and in item
 * summaries and ids shard by shard, so the first hits show before a big run is fully scanned.
 */
export function SearchResults({ model, route, run }: { model: Model; route: Route; run: string }) {
  const terms = searchTerms(route.q);
  const from = model.cluster(route.cluster);
  const scope = route.within ? from : undefined;
  const range: Range = scope
    ? { start: scope.start, end: scope.start + scope.size }
    : { start: 0, end: model.total };
  const inPartition = (partition: string) => !route.part || partition === route.part;
  const clusters = model.index.clusters
    .filter(
      (c) =>
        inPartition(c.partition) &&
        (!scope || (c.level <= scope.level && c.start >= range.start && c.start < range.end)) &&
        matchesAll(`${c.name}\n${c.description}`, terms),
    )
    .sort((a, b) => b.level - a.level || b.size - a.size);
  const filter = useFacetFilter(model, route, run);
  const matches = filter.state === 'ready' ? filter.matches : undefined;
  const items = useItemSearch(model, run, terms.join(' '), route.part, range, matches);
  const nothing = items.done && items.matched === 0 && clusters.length === 0;

  return (
    <section aria-labelledby="search-heading" class="search-results">
      <h1 id="search-heading">Search: “{route.q}”</h1>
      <p class="muted">
        {scope ? `Only in “${scope.name}”. ` : 'In all clusters. '}
        {route.part && `Within partition “${route.part}”. `}
        {filter.state === 'ready' && `Items with ${filter.label}. `}
        {from && !scope && (
          <a href={formatRoute({ ...route, within: true })}>Search only in “{from.name}”</a>
        )}
        {scope && <a href={formatRoute({ ...route, within: false })}>Search all clusters</a>}
      </p>
      <FacetFilterBar
        model={model}
        route={route}
        filter={filter}
        of={{ start: range.start, size: range.end - range.start }}
      />
      <p role="status" class={nothing ? undefined : 'visually-hidden'}>
        {!items.done
          ? ''
          : nothing
            ? `Nothing matches “${route.q}”${scope ? ` in “${scope.name}”` : ''}.`
            : `${plural(clusters.length, 'cluster')} and ${plural(items.matched, 'item')} match.`}
      </p>
      {clusters.length > 0 && <h2>{plural(clusters.length, 'cluster')}</h2>}
      <ul class="hits">
        {clusters.slice(0, SHOWN_CLUSTERS).map((c) => (
          <li key={`${c.level}.${c.id}`} data-testid="cluster-hit">
            <a href={hrefFor(route, { cluster: { level: c.level, id: c.id } })}>
              <Highlight text={c.name} terms={terms} />
            </a>
            <span class="muted">
              {' '}
              level {c.level} · {count(c.size)} items
            </span>
            <p class="description">
              <Highlight text={c.description} terms={terms} />
            </p>
          </li>
        ))}
      </ul>
      {clusters.length > SHOWN_CLUSTERS && (
        <p class="muted">… and {count(clusters.length - SHOWN_CLUSTERS)} more clusters.</p>
      )}
      {(items.matched > 0 || !items.done) && (
        <h2>
          {plural(items.matched, 'item')}
          {!items.done &&
            ` so far (${count(items.scanned)} of ${count(range.end - range.start)} searched)`}
        </h2>
      )}
      {items.error && <p class="error">Cannot search the items: {items.error}</p>}
      <ul class="hits" aria-busy={!items.done}>
        {items.hits.map((hit) => {
          const base = model.baseAt(hit.position);
          if (!base) return null;
          // With a facet filter the cluster page lists matching members only.
          const before = matches
            ? matches.count(base.start, hit.position)
            : hit.position - base.start;
          const page = Math.floor(before / PAGE_SIZE) + 1;
          const cluster = { level: base.level, id: base.id };
          return (
            <li key={hit.position} data-testid="item-hit">
              <a href={hrefFor(route, { cluster, page, item: hit.id })}>
                <Highlight text={hit.summary || '(no summary)'} terms={terms} />
              </a>
              <span class="muted">
                {' '}
                <Highlight text={hit.id} terms={terms} /> · in “{base.name}”
              </span>
            </li>
          );
        })}
      </ul>
      {items.matched > items.hits.length && (
        <p class="muted">
          Showing the first {count(items.hits.length)}; narrow the search to see the others.
        </p>
      )}
    </section>
  );
}

/** Positions [start, end) in member order. */
interface Range {
  readonly start: number;
  readonly end: number;
}

function useItemSearch(
  model: Model,
  run: string,
  query: string,
  partition: string | undefined,
  { start, end }: Range,
  /** Items the facet filter keeps; undefined: no filter. */
  matches?: FacetMatches,
): ItemSearch {
  const [state, setState] = useState<ItemSearch>({ hits: [], matched: 0, scanned: 0, done: false });
  useEffect(() => {
    let current = true;
    const terms = searchTerms(query);
    const { searchShardSize } = model.index;
    const hits: ItemHit[] = [];
    let matched = 0;
    setState({ hits: [], matched: 0, scanned: 0, done: false });
    (async () => {
      // Only the shards that hold the range are fetched.
      for (let k = Math.floor(start / searchShardSize); k * searchShardSize < end; k++) {
        const shard = await loadSearchShard(run, k);
        if (!current) return;
        shard.summaries.forEach((summary, i) => {
          const position = k * searchShardSize + i;
          if (position < start || position >= end) return;
          const id = shard.ids[i] ?? '';
          if (!matchesAll(`${summary}\n${id}`, terms)) return;
          if (partition && model.baseAt(position)?.partition !== partition) return;
          if (matches && !matches.has(position)) return;
          matched++;
          if (hits.length < SHOWN_ITEMS) hits.push({ position, id, summary });
        });
        const scanned = Math.min(end, (k + 1) * searchShardSize) - start;
        setState({ hits: [...hits], matched, scanned, done: start + scanned >= end });
      }
      if (end <= start) setState({ hits: [], matched: 0, scanned: 0, done: true });
    })().catch((error: unknown) => {
      if (current) setState((s) => ({ ...s, done: true, error: String(error) }));
    });
    return () => {
      current = false;
    };
  }, [model, run, query, partition, start, end, matches]);
  return state;
}
