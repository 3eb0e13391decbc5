import type { FacetDistribution } from '../../../lib/facets/distribution.js';
import type { Model } from '../model.js';
import { count, percent } from '../text.js';
import '../facets.css';

/** Category values shown by name; the rest are summed into "other". */
const SHOWN_VALUES = 6;
const HISTOGRAM = { width: 240, height: 48, gap: 2 } as const;

/** How a cluster's members spread over each facet of the run (nothing while they load). */
export function FacetDistributions(props: {
  model: Model;
  distributions: Readonly<Record<string, FacetDistribution>> | undefined;
}) {
  const { model, distributions } = props;
  const entries = (model.index.facets ?? []).flatMap((f) => {
    const d = distributions?.[f.name];
    return d ? [[f.name, d] as const] : [];
  });
  if (entries.length === 0) return null;
  return (
    <section aria-labelledby="facets-heading" class="facets">
      <h2 id="facets-heading">Facets</h2>
      <div class="facet-grid">
        {entries.map(([name, d]) => (
          <section key={name} class="facet" data-testid="facet" data-facet={name}>
            <h3>{name}</h3>
            {d.kind === 'category' ? <CategoryBars counts={d.counts} /> : <ScaleSummary d={d} />}
          </section>
        ))}
      </div>
    </section>
  );
}

function CategoryBars({ counts }: { counts: Readonly<Record<string, number>> }) {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const total = entries.reduce((sum, [, n]) => sum + n, 0);
  const shown = entries.slice(0, SHOWN_VALUES);
  const rest = entries.slice(SHOWN_VALUES).reduce((sum, [, n]) => sum + n, 0);
  const rows =
    rest > 0 ? [...shown, [`other (${entries.length - SHOWN_VALUES})`, rest] as const] : shown;
  return (
    <ul class="facet-bars">
      {rows.map(([value, n]) => (
        <li key={value} data-testid="facet-value" data-value={value} data-count={n}>
          <span class="facet-value" title={value}>
            {value}
          </span>
          <span class="figures">
            {count(n)} · {percent(n, total)}
          </span>
          <span class="bar" aria-hidden="true">
            <span style={{ width: `${(100 * n) / total}%` }} />
          </span>
        </li>
      ))}
    </ul>
  );
}

function ScaleSummary({ d }: { d: Extract<FacetDistribution, { kind: 'scale' }> }) {
  const [min, q1, median, q3, max] = d.quartiles;
  const bins = d.counts ? histogramBins(d.counts) : [];
  return (
    <>
      <p data-testid="facet-mean" data-mean={d.mean}>
        mean <strong>{d.mean.toFixed(2)}</strong> over {count(d.n)} items
      </p>
      <p class="muted">
        median {median} · middle half {q1}–{q3} · range {min}–{max}
      </p>
      {bins.length > 0 && <Histogram bins={bins} />}
    </>
  );
}

/** Whole values absent from a short range get an empty bar, so the bars read as an axis. */
const MAX_FILLED_RANGE = 40;

function histogramBins(counts: Readonly<Record<string, number>>): (readonly [number, number])[] {
  const given = Object.entries(counts)
    .map(([v, n]) => [Number(v), n] as const)
    .sort((a, b) => a[0] - b[0]);
  const [lo, hi] = [given[0]?.[0] ?? 0, given[given.length - 1]?.[0] ?? 0];
  if (hi - lo + 1 > MAX_FILLED_RANGE || !given.every(([v]) => Number.isInteger(v))) return given;
  return Array.from({ length: hi - lo + 1 }, (_, i) => [lo + i, counts[String(lo + i)] ?? 0]);
}

/** Items per value as bars, with every count in the label for screen readers. */
function Histogram({ bins }: { bins: readonly (readonly [number, number])[] }) {
  const highest = Math.max(...bins.map(([, n]) => n));
  const step = HISTOGRAM.width / bins.length;
  const label = bins.map(([v, n]) => `${v}: ${count(n)}`).join(', ');
  return (
    <figure class="histogram">
      <svg
        viewBox={`0 0 ${HISTOGRAM.width} ${HISTOGRAM.height}`}
        width={HISTOGRAM.width}
        height={HISTOGRAM.height}
        role="img"
        aria-label={`Items per value: ${label}`}
        data-testid="facet-histogram"
      >
        {bins.map(([v, n], i) => {
          const h = n === 0 ? 0 : Math.max(1, (HISTOGRAM.height * n) / highest);
          return (
            <rect
              key={v}
              x={i * step + HISTOGRAM.gap / 2}
              y={HISTOGRAM.height - h}
              width={Math.max(1, step - HISTOGRAM.gap)}
              height={h}
              data-value={v}
              data-count={n}
            />
          );
        })}
      </svg>
      <figcaption class="muted" aria-hidden="true">
        {bins[0]?.[0]} … {bins[bins.length - 1]?.[0]}
      </figcaption>
    </figure>
  );
}
