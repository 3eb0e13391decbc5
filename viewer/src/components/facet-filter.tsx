import { useEffect, useState } from 'preact/hooks';
import type { VizFacet } from '../../../lib/viz/format.js';
import { type FacetFilter, formatFacetFilter } from '../facets.js';
import type { Model } from '../model.js';
import { formatRoute, type Route } from '../route.js';
import { count } from '../text.js';
import type { FacetFilterState } from '../use-facet-filter.js';
import '../facets.css';

/**
 * Narrows the screen to items with one facet value (a category) or within a range (a scale).
 * Lives in the URL, so a filtered screen can be bookmarked; nothing shows for runs without facets.
 */
export function FacetFilterBar(props: {
  model: Model;
  route: Route;
  filter: FacetFilterState;
  /** Items the screen covers before the filter (a cluster's size, or every item). */
  of: { readonly start: number; readonly size: number };
}) {
  const { model, route, filter, of } = props;
  const facets = model.index.facets ?? [];
  const current = filter.state === 'none' || filter.state === 'invalid' ? undefined : filter.filter;
  const [name, setName] = useState(current?.facet ?? '');
  useEffect(() => setName(current?.facet ?? ''), [current?.facet]);
  if (facets.length === 0) return null;
  const apply = (next: FacetFilter | undefined) => {
    const { facet: _old, ...rest } = route;
    location.hash = formatRoute(
      next ? { ...rest, facet: formatFacetFilter(next), page: 1 } : { ...rest, page: 1 },
    );
  };
  const facet = facets.find((f) => f.name === name);
  return (
    <section class="facet-filter" aria-label="Facet filter">
      <label>
        Filter by facet{' '}
        <select
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
            if (e.currentTarget.value === '') apply(undefined);
          }}
        >
          <option value="">none</option>
          {facets.map((f) => (
            <option key={f.name} value={f.name}>
              {f.name}
            </option>
          ))}
        </select>
      </label>
      {facet?.kind === 'category' && (
        <CategoryPicker facet={facet} chosen={current} onPick={apply} />
      )}
      {facet?.kind === 'scale' && <RangePicker facet={facet} chosen={current} onPick={apply} />}
      {current && (
        <button type="button" onClick={() => apply(undefined)}>
          Clear filter
        </button>
      )}
      <p class="muted" role="status" data-testid="facet-filter-status">
        {filter.state === 'invalid' && filter.message}
        {filter.state === 'loading' && `Filtering by ${filter.label}…`}
        {filter.state === 'ready' &&
          `${count(filter.matches.count(of.start, of.start + of.size))} of ${count(of.size)} items with ${filter.label}.`}
      </p>
    </section>
  );
}

function CategoryPicker(props: {
  facet: Extract<VizFacet, { kind: 'category' }>;
  chosen: FacetFilter | undefined;
  onPick: (filter: FacetFilter) => void;
}) {
  const { facet, chosen, onPick } = props;
  const value = chosen?.facet === facet.name && 'value' in chosen ? chosen.value : '';
  return (
    <label>
      value{' '}
      <select
        value={value}
        onChange={(e) => {
          if (e.currentTarget.value) onPick({ facet: facet.name, value: e.currentTarget.value });
        }}
      >
        <option value="" disabled>
          choose…
        </option>
        {facet.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </label>
  );
}

function RangePicker(props: {
  facet: Extract<VizFacet, { kind: 'scale' }>;
  chosen: FacetFilter | undefined;
  onPick: (filter: FacetFilter) => void;
}) {
  const { facet, chosen, onPick } = props;
  const range = chosen?.facet === facet.name && !('value' in chosen) ? chosen : undefined;
  const [min, setMin] = useState(String(range?.min ?? facet.min));
  const [max, setMax] = useState(String(range?.max ?? facet.max));
  const bound = (text: string) => (text.trim() === '' ? undefined : Number(text));
  return (
    <form
      class="facet-range"
      onSubmit={(e) => {
        e.preventDefault();
        const [lo, hi] = [bound(min), bound(max)];
        onPick({
          facet: facet.name,
          ...(lo === undefined || Number.isNaN(lo) ? {} : { min: lo }),
          ...(hi === undefined || Number.isNaN(hi) ? {} : { max: hi }),
        });
      }}
    >
      <label>
        from{' '}
        <input
          type="number"
          value={min}
          step="any"
          onInput={(e) => setMin(e.currentTarget.value)}
        />
      </label>
      <label>
        to{' '}
        <input
          type="number"
          value={max}
          step="any"
          onInput={(e) => setMax(e.currentTarget.value)}
        />
      </label>
      <button type="submit">Apply</button>
      <span class="muted">
        ({facet.min}–{facet.max} in this run)
      </span>
    </form>
  );
}
