import type { HierarchyDoc } from '../output/hierarchy-schema.js';
import type { Evaluation } from './evaluate.js';
import { bar, cell, judgeMarkdown, num, pct, writeBackMarkdown } from './judge-markdown.js';

/** The human-readable evaluation: one section per measure, bars beside the numbers. */
export function evaluationMarkdown(evaluation: Evaluation, doc: HierarchyDoc): string {
  const name = new Map(doc.clusters.map((c) => [`${c.level}:${c.id}`, c.name]));
  const lines = [
    `# Evaluation of run ${evaluation.runId}`,
    '',
    `${evaluation.items} items, evaluated ${evaluation.evaluatedAt} with embedder \`${evaluation.embedder}\`.`,
    '',
    '## Embedding fit',
    '',
    "An item fits when its own cluster's centroid is the nearest of all (summary embeddings).",
    '',
    '| level | nearest is own | | silhouette | uniqueness |',
    '|---|---|---|---|---|',
    ...evaluation.fit.map(
      (f) =>
        `| ${f.level} | ${pct(f.nearestOwn)} | \`${bar(f.nearestOwn)}\` | ${num(f.silhouette)} | ${num(f.uniqueness)} |`,
    ),
  ];
  const base = evaluation.fit[0];
  if (base && base.clusters.length > 0) {
    lines.push(
      '',
      '### Base clusters that fit worst',
      '',
      '| cluster | size | items nearest own | mean margin |',
      '|---|---|---|---|',
    );
    for (const c of base.clusters.slice(0, 10)) {
      lines.push(
        `| ${cell(name.get(`0:${c.id}`) ?? String(c.id))} | ${c.size} | ${pct(c.nearestOwn)} | ${num(c.meanMargin)} |`,
      );
    }
  }
  if (evaluation.labels) {
    lines.push(
      '',
      '## Agreement with labels',
      '',
      '| level | clusters | NMI | | ARI | purity |',
      '|---|---|---|---|---|---|',
    );
    for (const l of evaluation.labels) {
      lines.push(
        `| ${l.level} | ${l.clusters} | ${num(l.nmi)} | \`${bar(l.nmi)}\` | ${num(l.ari)} | ${num(l.purity)} |`,
      );
    }
    const top = evaluation.labels[evaluation.labels.length - 1];
    if (top) {
      lines.push(
        '',
        `### Where each label went (level ${top.level})`,
        '',
        '| label | items | main cluster | share there | clusters holding it |',
        '|---|---|---|---|---|',
      );
      for (const s of top.labelSpread) {
        lines.push(
          `| ${cell(s.label)} | ${s.size} | ${cell(name.get(`${top.level}:${s.mainCluster}`) ?? '')} | ${pct(s.mainShare)} | ${s.clusters} |`,
        );
      }
    }
  }
  lines.push('', ...judgeMarkdown(evaluation.judge, doc));
  if (evaluation.writeBack) lines.push('', ...writeBackMarkdown(evaluation.writeBack));
  return `${lines.join('\n')}\n`;
}
