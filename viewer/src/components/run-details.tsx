import type { AuditCounts, PrivacyReport } from '../../../lib/privacy/report.js';
import type { Model } from '../model.js';
import { count, duration, plural, words } from '../text.js';
import { Overview } from './overview.js';

/** Everything the run recorded: counts, usage, timings, failures and warnings. */
export function RunDetails({ model }: { model: Model }) {
  const { run, failureCount } = model.index;
  const counts = Object.entries(run.counts);
  const usage = Object.entries(run.usage);
  const timings = Object.entries(run.timingsMs);
  return (
    <section aria-labelledby="run-heading" class="run">
      <h1 id="run-heading" tabIndex={-1}>
        Run {run.runId}
      </h1>
      <Overview model={model} />
      <div class="tables">
        <Table caption="Items" rows={counts.map(([k, v]) => [words(k), count(v)])} />
        <Table caption="Token usage" rows={usage.map(([k, v]) => [words(k), count(v)])} />
        <Table caption="Time per stage" rows={timings.map(([k, v]) => [words(k), duration(v)])} />
        {run.privacy && (
          <Table caption="Privacy" rows={privacyRows(run.privacy, run.counts.withheld)} />
        )}
        <Table
          caption="Models"
          rows={[
            ['LLM', run.llm],
            ['embedder', run.embedder],
            ['hierarchy', run.hierarchy.join(' → ')],
            ['config digest', run.configDigest],
            ...(model.index.map ? [['map', model.index.map.method] as [string, string]] : []),
          ]}
        />
      </div>
      {run.partitions && (
        <>
          <h2>Partitions</h2>
          <dl class="plain">
            {Object.entries(run.partitions).map(([name, description]) => (
              <div key={name}>
                <dt>{name}</dt>
                <dd>{description}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      <h2>{plural(failureCount, 'failure')}</h2>
      {run.failures.length > 0 && (
        <ul class="failures">
          {run.failures.map((f, i) => (
            <li key={i}>
              <strong>{f.stage}</strong> {f.id}: {f.reason}
            </li>
          ))}
        </ul>
      )}
      {failureCount > run.failures.length && (
        <p class="muted">
          … and {count(failureCount - run.failures.length)} more, all listed in run.json.
        </p>
      )}
      <h2>{plural(run.warnings.length, 'warning')}</h2>
      <ul>
        {run.warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
    </section>
  );
}

/** The thresholds the run applied and what each held back, as the run recorded them. */
function privacyRows(privacy: PrivacyReport, withheldItems: number): [string, string][] {
  const audit = privacy.audit;
  const total = (key: keyof AuditCounts) =>
    count((audit?.levels ?? []).reduce((sum, level) => sum + level[key], 0));
  return [
    ['items withheld', count(withheldItems)],
    [`clusters under ${count(privacy.minClusterSize)} items`, count(privacy.withheldClusters.size)],
    [
      `clusters under ${count(privacy.minDistinctUsers)} users`,
      count(privacy.withheldClusters.users),
    ],
    ...(audit
      ? ([
          ['audit', `${audit.action} above rating ${audit.maxRating} of 5`],
          ['clusters audited', total('audited')],
          ['renamed by the audit', total('renamed')],
          ['withheld by the audit', total('withheld')],
          ['withheld, audit failed', total('failed')],
        ] as [string, string][])
      : [['audit', 'off'] as [string, string]]),
  ];
}

function Table({ caption, rows }: { caption: string; rows: readonly [string, string][] }) {
  return (
    <table>
      <caption>{caption}</caption>
      <tbody>
        {rows.map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
