import { describeFacetMeasure, facetMeasures, formatFacetMeasure } from '../facets.js';
import type { Model } from '../model.js';
import { formatRoute, type Route } from '../route.js';
import '../facets.css';

/**
 * Picks a facet measure (a category value's share or a scale's mean) for the route field that
 * ranks cluster lists (`rank`) or colours the map (`colour`). Nothing shows for runs without facets.
 */
export function FacetMeasurePicker(props: {
  model: Model;
  route: Route;
  field: 'rank' | 'colour';
  label: string;
  /** What the empty choice means. */
  none: string;
}) {
  const { model, route, field, label, none } = props;
  const measures = facetMeasures(model.index.facets ?? []);
  if (measures.length === 0) return null;
  return (
    <label class="facet-measure">
      {label}{' '}
      <select
        value={route[field] ?? ''}
        onChange={(e) => {
          const { [field]: _old, ...rest } = route;
          const value = e.currentTarget.value;
          location.hash = formatRoute(value ? { ...rest, [field]: value } : rest);
        }}
      >
        <option value="">{none}</option>
        {measures.map((m) => (
          <option key={formatFacetMeasure(m)} value={formatFacetMeasure(m)}>
            {describeFacetMeasure(m)}
          </option>
        ))}
      </select>
    </label>
  );
}
