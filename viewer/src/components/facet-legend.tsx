import { type FacetColouring, NO_VALUE, RAMP, stepValue } from '../facet-colours.js';
import { describeFacetMeasure, measureText } from '../facets.js';
import '../facets.css';

/** What the map's colours mean when it is coloured by a facet measure. */
export function FacetLegend({ colouring }: { colouring: FacetColouring }) {
  const { measure } = colouring;
  return (
    <figure class="facet-legend" data-testid="facet-legend">
      <figcaption>
        Each base cluster coloured by its {describeFacetMeasure(measure)}, from{' '}
        {measureText(measure, colouring.min)} to {measureText(measure, colouring.max)}.
      </figcaption>
      <ul>
        {RAMP.map((colour, step) => (
          <li key={colour}>
            <span class="swatch" style={{ background: colour }} aria-hidden="true" />
            {measureText(measure, stepValue(colouring, step))}
          </li>
        ))}
        <li>
          <span class="swatch" style={{ background: NO_VALUE }} aria-hidden="true" />
          no value
        </li>
      </ul>
    </figure>
  );
}
