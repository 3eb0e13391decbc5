import type { Model } from '../model.js';
import { count, dateTime, plural } from '../text.js';

/** The run at a glance: where the items came from, how many, what it cost. */
export function Overview({ model }: { model: Model }) {
  const { run, levels, failureCount } = model.index;
  const tokens = run.usage.inputTokens + run.usage.outputTokens;
  const refused = run.counts.refused ? ` (${count(run.counts.refused)} declined by the model)` : '';
  // A model without a known price is never shown as free.
  const unpriced = run.unpricedModels ?? [];
  const cost =
    `$${run.costUsd.toFixed(2)}` +
    (unpriced.length ? ` + price unknown for ${unpriced.join(', ')}` : '');
  const window = run.window ? `${dateTime(run.window.start)} – ${dateTime(run.window.end)}` : null;
  const rows: [string, string][] = [
    ['Source', run.source || '–'],
    ...(window ? ([['Time window', window]] as [string, string][]) : []),
    ['Created', dateTime(run.createdAt)],
    ['Items', `${count(model.total)} clustered of ${count(run.counts.loaded)} loaded`],
    ['Levels', `${levels.map((l) => count(l.count)).join(' → ')} clusters (base → top)`],
    [
      'Failures',
      `${plural(failureCount, 'failure')}${refused}, ${count(run.counts.withheld)} withheld`,
    ],
    ['Usage', `${count(tokens)} tokens (${count(run.usage.requests)} requests), ${cost}`],
    ...(model.namedOffline
      ? ([['Names', 'named offline from the terms that set each cluster apart (no LLM)']] as [
          string,
          string,
        ][])
      : []),
  ];
  return (
    <section class="overview" aria-label="Run overview">
      <dl>
        {rows.map(([term, value]) => (
          <div key={term}>
            <dt>{term}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
