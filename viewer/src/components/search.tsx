import { useEffect, useState } from 'preact/hooks';
import { loadSearchShard } from '../data.js';
import type { Model } from '../model.js';
import { hrefFor, type Route } from '../route.js';
import { count, Highlight, matchesAll, plural, searchTerms } from '../text.js';
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
  const inPartition = (partition: string) => !route.part || partition === route.part;
  const clusters = model.index.clusters
    .filter((c) => inPartition(c.partition) && matchesAll(`${c.name}\n${c.description}`, terms))
    .sort((a, b) => b.level - a.level || b.size - a.size);
  const items = useItemSearch(model, run, terms.join(' '), route.part);

  return (
    <section aria-labelledby="search-heading" class="search-results">
      <h1 id="search-heading">Search: “{route.q}”</h1>
      {route.part && <p class="muted">Within partition “{route.part}”.</p>}
      <h2>{plural(clusters.length, 'cluster')}</h2>
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
      <h2>
        {plural(items.matched, 'item')}
        {!items.done && ` so far (${count(items.scanned)} of ${count(model.total)} searched)`}
      </h2>
      {items.error && <p class="error">Cannot search the items: {items.error}</p>}
      <ul class="hits" aria-busy={!items.done}>
        {items.hits.map((hit) => {
          const base = model.baseAt(hit.position);
          if (!base) return null;
          const page = Math.floor((hit.position - base.start) / PAGE_SIZE) + 1;
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

function useItemSearch(
  model: Model,
  run: string,
  query: string,
  partition: string | undefined,
): ItemSearch {
  const [state, setState] = useState<ItemSearch>({ hits: [], matched: 0, scanned: 0, done: false });
  useEffect(() => {
    let current = true;
    const terms = searchTerms(query);
    const { items: total, searchShardSize } = model.index;
    const hits: ItemHit[] = [];
    let matched = 0;
    setState({ hits: [], matched: 0, scanned: 0, done: false });
    (async () => {
      for (let k = 0; k * searchShardSize < total; k++) {
        const shard = await loadSearchShard(run, k);
        if (!current) return;
        shard.summaries.forEach((summary, i) => {
          const position = k * searchShardSize + i;
          const id = shard.ids[i] ?? '';
          if (!matchesAll(`${summary}\n${id}`, terms)) return;
          if (partition && model.baseAt(position)?.partition !== partition) return;
          matched++;
          if (hits.length < SHOWN_ITEMS) hits.push({ position, id, summary });
        });
        const scanned = Math.min(total, (k + 1) * searchShardSize);
        setState({ hits: [...hits], matched, scanned, done: scanned >= total });
      }
    })().catch((error: unknown) => {
      if (current) setState((s) => ({ ...s, done: true, error: String(error) }));
    });
    return () => {
      current = false;
    };
  }, [model, run, query, partition]);
  return state;
}
