import { facetNames } from '../facets/distribution.js';
import type { ItemRecord } from '../output/hierarchy-schema.js';
import { MAX_CATEGORY_VALUES, type VizFacet, type VizFacetColumn } from './format.js';

/**
 * The facets the items carry, read off their values: a facet with any text value is a
 * category (its values most frequent first), one with only numbers a scale.
 */
export function facetsOf(items: readonly ItemRecord[]): VizFacet[] {
  return facetNames(items).map((name) => {
    const counts = new Map<string | number, number>();
    for (const item of items) {
      const value = item.facets?.[name];
      if (value !== undefined) counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const given = [...counts.keys()];
    if (given.every((v): v is number => typeof v === 'number')) {
      // A loop, not Math.min(...given): a length facet can take more distinct values than a call
      // takes arguments.
      let min = Number.POSITIVE_INFINITY;
      let max = Number.NEGATIVE_INFINITY;
      for (const v of given) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      return { name, kind: 'scale', min, max };
    }
    // A category answered with a number now and then ("3") is still one value set.
    const byText = new Map<string, number>();
    for (const [v, n] of counts) byText.set(String(v), (byText.get(String(v)) ?? 0) + n);
    const values = [...byText]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([v]) => v);
    const more = values.length - MAX_CATEGORY_VALUES;
    return {
      name,
      kind: 'category',
      values: values.slice(0, MAX_CATEGORY_VALUES),
      ...(more > 0 ? { more } : {}),
    };
  });
}

/** One facet's column over the items in member order (see VizFacetColumn). */
export function facetColumn(facet: VizFacet, items: readonly ItemRecord[]): VizFacetColumn {
  if (facet.kind === 'scale') {
    return {
      name: facet.name,
      values: items.map((item) => {
        const v = item.facets?.[facet.name];
        return typeof v === 'number' ? v : null;
      }),
    };
  }
  const code = new Map(facet.values.map((v, i) => [v, i]));
  return {
    name: facet.name,
    values: items.map((item) => {
      const v = item.facets?.[facet.name];
      return v === undefined ? null : (code.get(String(v)) ?? -1);
    }),
  };
}
