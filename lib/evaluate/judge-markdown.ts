import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { JudgeResult } from './judge.js';
import type { FacetScore } from './judge-facets.js';
import type { MetricScore } from './judge-score.js';
import type { WriteBackSummary } from './write-back.js';

// Formatting shared with report.ts, so every section of the report reads alike.
export const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
export const num = (x: number) => x.toFixed(3);
/** A bar for a score in [0, 1], so a table can be scanned by eye. */
export const bar = (x: number, width = 20) =>
  '█'.repeat(Math.max(0, Math.round(x * width))).padEnd(width, '·');
export const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 80);

const WORST_CLUSTERS = 10;
const WORST_ITEMS = 10;
const OVERLAPS = 10;

const score = (s: MetricScore | null | undefined) =>
  s?.score === null || s?.score === undefined ? '–' : pct(s.score);
const counts = (s: MetricScore | null | undefined) =>
  s ? `${s.passed} / ${s.judged}${s.failed > 0 ? ` (${s.failed} failed)` : ''}` : '–';

const METRICS = [
  ['partitionRelevance', 'partition relevance', 'the judge puts the item in its own partition'],
  ['hierarchicalFit', 'hierarchical fit', 'the item belongs in its cluster, at every level'],
  ['bestFit', 'best fit', 'among its own and the nearest other base clusters, its own fits best'],
  ['exclusiveFit', 'exclusive fit', 'it fits its own base cluster and none of the others shown'],
  ['uniqueness', 'uniqueness', 'a cluster and its nearest neighbour are distinct (per pair)'],
] as const;

/** The judge's section of `evaluation.md`: overview, levels, worst clusters, overlaps, items. */
export function judgeMarkdown(judge: JudgeResult, doc: HierarchyDoc): string[] {
  const lines = ['## LLM judge', ''];
  if (judge.status === 'skipped') {
    lines.push(`Not computed: ${judge.reason}.`);
    return lines;
  }
  const name = (level: number, id: number) =>
    cell(doc.clusters.find((c) => c.level === level && c.id === id)?.name ?? String(id));
  const cost = judge.costUsd === null ? 'price unknown' : `$${judge.costUsd.toFixed(2)}`;
  const sample =
    judge.sample.items === judge.sample.of
      ? `all ${judge.sample.of} items`
      : `${judge.sample.items} of ${judge.sample.of} items (seeded sample, seed ${judge.sample.seed})`;
  lines.push(
    `Judged ${sample} with \`${judge.model ?? judge.llm}\`: ${judge.calls} calls, ` +
      `${judge.failedCalls} without a valid reply (counted as failed, neither pass nor fail), ${cost}.`,
    '',
    '| metric | score | | passed / judged | passes when |',
    '|---|---|---|---|---|',
  );
  for (const [key, label, meaning] of METRICS) {
    const s = judge.scores[key];
    if (!s) continue;
    lines.push(`| ${label} | ${score(s)} | \`${bar(s.score ?? 0)}\` | ${counts(s)} | ${meaning} |`);
  }
  lines.push(
    '',
    '### By level',
    '',
    ...(judge.levels.length < doc.levels.length && judge.scores.partitionRelevance
      ? ['The top level is the partitions: it is judged as partition relevance.', '']
      : []),
    '| level | clusters | hierarchical fit | | uniqueness | |',
    '|---|---|---|---|---|---|',
  );
  for (const l of judge.levels) {
    const clusters = doc.levels.find((x) => x.level === l.level)?.count ?? 0;
    lines.push(
      `| ${l.level} | ${clusters} | ${score(l.hierarchicalFit)} | \`${bar(l.hierarchicalFit?.score ?? 0, 10)}\` | ${score(l.uniqueness)} | ${counts(l.uniqueness)} pairs |`,
    );
  }

  lines.push(...facetsMarkdown(judge.facets));

  const weak = judge.clusters
    .filter((c) => c.hierarchicalFit.score !== null && c.hierarchicalFit.score < 1)
    .slice()
    .sort(
      (a, b) =>
        (a.hierarchicalFit.score ?? 0) - (b.hierarchicalFit.score ?? 0) || b.items - a.items,
    )
    .slice(0, WORST_CLUSTERS);
  if (weak.length > 0) {
    lines.push(
      '',
      '### Clusters that fit worst',
      '',
      '| level | cluster | judged items | hierarchical fit | best fit | exclusive fit |',
      '|---|---|---|---|---|---|',
    );
    for (const c of weak) {
      lines.push(
        `| ${c.level} | ${name(c.level, c.id)} | ${c.items} | ${score(c.hierarchicalFit)} | ${score(c.bestFit)} | ${score(c.exclusiveFit)} |`,
      );
    }
  }

  const overlaps = judge.pairs.filter((p) => 'pass' in p && !p.pass).slice(0, OVERLAPS);
  if (overlaps.length > 0) {
    lines.push(
      '',
      '### Clusters the judge found overlapping',
      '',
      '| level | cluster | nearest cluster | similarity | reason |',
      '|---|---|---|---|---|',
    );
    for (const p of overlaps) {
      const why = 'reason' in p ? cell(p.reason) : '';
      lines.push(
        `| ${p.level} | ${name(p.level, p.a)} | ${name(p.level, p.b)} | ${num(p.similarity)} | ${why} |`,
      );
    }
  }

  if (judge.worstItems.length > 0) {
    lines.push(
      '',
      '### Items that failed the most checks',
      '',
      '| item | base cluster | failed checks | first reason |',
      '|---|---|---|---|',
    );
    for (const w of judge.worstItems.slice(0, WORST_ITEMS)) {
      const checks = w.failedChecks.map((f) => f.check).join(', ');
      lines.push(
        `| ${cell(w.id)} | ${name(0, w.cluster)} | ${cell(checks)} | ${cell(w.failedChecks[0]?.reason ?? '')} |`,
      );
    }
  }
  return lines;
}

/** The judge's check of the question-facet answers; nothing when none were checked. */
function facetsMarkdown(facets: readonly FacetScore[]): string[] {
  if (facets.length === 0) return [];
  const lines = [
    '',
    '### Facet answers',
    '',
    'The judge answered each question facet itself in the base-level fit call: a scale or a listed ' +
      'category blind, a free category by confirming the recorded label.',
    '',
    '| facet | kind | agreement / mean absolute difference | | judged | failed |',
    '|---|---|---|---|---|---|',
  ];
  for (const f of facets) {
    const measure =
      f.kind === 'category'
        ? `${f.agreement === null ? '–' : pct(f.agreement)} agree (${f.agreed} / ${f.judged})`
        : f.meanAbsDifference === null
          ? '–'
          : `${num(f.meanAbsDifference)} apart on average`;
    const shown = f.kind === 'category' ? `\`${bar(f.agreement ?? 0, 10)}\`` : '';
    lines.push(
      `| ${cell(f.facet)} | ${f.kind} | ${measure} | ${shown} | ${f.judged} | ${f.failed} |`,
    );
  }
  return lines;
}

/** What `--write-back` recorded, for the end of the report. */
export function writeBackMarkdown(summary: WriteBackSummary): string[] {
  const lines = [
    '## Written back to LangSmith',
    '',
    `${summary.examplesUpdated} examples of dataset \`${cell(summary.dataset)}\` carry their cluster path ` +
      '(`clio_cluster_path`, `clio_cluster_ids`, `clio_partition`, `clio_run_id` in metadata).',
  ];
  if (summary.missing > 0) {
    lines.push('', `${summary.missing} items of the run are no longer examples of the dataset.`);
  }
  if (summary.experiment) {
    const e = summary.experiment;
    lines.push(
      '',
      `Judge verdicts: experiment \`${cell(e.name)}\` (${e.runs} runs, ${e.feedback} feedback).`,
    );
  }
  return lines;
}
