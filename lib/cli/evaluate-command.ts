import type { FacetSpecs } from '../config/facets.js';
import type { ClioConfig } from '../config/index.js';
import {
  type EvaluateDeps,
  type Evaluation,
  evaluateRun,
  readHierarchy,
} from '../evaluate/evaluate.js';
import { judgeUnavailable } from '../evaluate/judge.js';
import { estimateJudging } from '../evaluate/judge-estimate.js';
import { createWriteBackClient, writeBack, writeBackDataset } from '../evaluate/write-back.js';
import type { StageEstimate } from '../pipeline/estimate.js';
import { ClioError } from '../util/errors.js';
import { type CommandOptions, formatEstimate } from './generate-command.js';
import { openLocalRun } from './local-run.js';

export interface EvaluateCommandOptions extends CommandOptions {
  /** Run the LLM judge when the LLM can (default true; `--no-judge` sets false). */
  readonly judge?: boolean;
  /** `--write-back`: record cluster paths and judge verdicts on the LangSmith dataset. */
  readonly writeBack?: boolean;
  /** `--judge-facets`: check the question-facet answers, as `eval_facets: true` does. */
  readonly judgeFacets?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

/** The question facets the judge checks: with `eval_facets` or `--judge-facets`, the config's. */
export function judgedFacets(config: ClioConfig, flag: boolean | undefined): FacetSpecs {
  if (!flag && !config.eval_facets) return {};
  if (Object.keys(config.facets).length === 0) {
    // eval_facets without facets is refused when the config loads; only the flag gets here.
    throw new ClioError(
      '--judge-facets checks the answers to the question `facets` of the config, and it declares none',
    );
  }
  return config.facets;
}

/** `open-clio evaluate`: scores the run the config's `save_path` holds. */
export async function runEvaluateCommand(
  options: EvaluateCommandOptions,
): Promise<{ evaluation: Evaluation; files: string[]; location: string }> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    const { config } = run.loaded;
    // Checked before anything is spent: a wrong source or a missing key fails at once.
    let writeBackStep: EvaluateDeps['writeBack'];
    if (options.writeBack) {
      const datasetName = writeBackDataset(config);
      const client = createWriteBackClient(options.env ?? process.env, options.cwd);
      writeBackStep = (doc, judge) =>
        writeBack(doc, judge, { client, datasetName, concurrency: config.max_concurrency });
    }
    const result = await evaluateRun(run.store, {
      embedder: run.embedder,
      judge:
        options.judge === false
          ? { skip: 'skipped with --no-judge' }
          : {
              llm: run.llm,
              concurrency: config.max_concurrency,
              sample: config.eval_sample,
              seed: config.seed,
              facets: judgedFacets(config, options.judgeFacets),
            },
      writeBack: writeBackStep,
      progress: options.progress,
    });
    return { ...result, location: run.store.location };
  } finally {
    await run.close();
  }
}

export interface EvaluateEstimate {
  readonly items: number;
  readonly llm: string;
  readonly stages: StageEstimate[];
  /** Question facets the base-level fit calls also check (`eval_facets`, `--judge-facets`). */
  readonly facets?: readonly string[];
  /** Why the judge would not run; then nothing is spent at all. */
  readonly unavailable?: string;
}

/** `open-clio evaluate --estimate`: the judge's calls, tokens and cost, spending nothing. */
export async function runEvaluateEstimate(
  options: CommandOptions & Pick<EvaluateCommandOptions, 'judgeFacets'>,
): Promise<EvaluateEstimate> {
  const run = await openLocalRun(options.config, options.cwd);
  try {
    const { config } = run.loaded;
    const doc = await readHierarchy(run.store);
    const unavailable = judgeUnavailable(run.llm);
    if (unavailable) return { items: 0, llm: run.llm.id, stages: [], unavailable };
    const facets = judgedFacets(config, options.judgeFacets);
    const { items, stages } = estimateJudging(doc, run.llm, {
      sample: config.eval_sample,
      seed: config.seed,
      facets,
    });
    return { items, llm: run.llm.id, stages, facets: Object.keys(facets) };
  } finally {
    await run.close();
  }
}

export function formatEvaluateEstimate(estimate: EvaluateEstimate): string {
  if (estimate.unavailable) {
    return `The LLM judge would not run: ${estimate.unavailable}. The offline metrics cost nothing.`;
  }
  const facets = estimate.facets ?? [];
  const checked =
    facets.length > 0
      ? `\n  (base-level fit calls also check the facets ${facets.join(', ')}: longer replies, no extra calls)`
      : '';
  return `${formatEstimate(estimate)}\n  (best-fit calls answer exclusive fit too)${checked}`;
}

const pct = (x: number | null) => (x === null ? '    –' : `${(x * 100).toFixed(1).padStart(5)}%`);

/** The few lines printed after an evaluation. */
export function formatEvaluation(
  evaluation: Evaluation,
  location: string,
  files: readonly string[],
): string {
  const lines = [
    `Evaluated ${evaluation.items} items. Report in ${location}: ${files.join(', ')}`,
    '',
  ];
  lines.push(
    'level  nearest-own  silhouette  uniqueness' +
      (evaluation.labels ? '   NMI    ARI  purity' : ''),
  );
  evaluation.fit.forEach((fit, i) => {
    const label = evaluation.labels?.[i];
    lines.push(
      `${String(fit.level).padEnd(5)}  ${(fit.nearestOwn * 100).toFixed(1).padStart(10)}%  ${fit.silhouette.toFixed(3).padStart(10)}  ${fit.uniqueness.toFixed(3).padStart(10)}` +
        (label
          ? `  ${label.nmi.toFixed(3)}  ${label.ari.toFixed(3)}  ${label.purity.toFixed(3)}`
          : ''),
    );
  });
  const { judge, writeBack: written } = evaluation;
  lines.push('');
  if (judge.status === 'skipped') lines.push(`LLM judge: not computed (${judge.reason})`);
  else {
    lines.push(
      `LLM judge on ${judge.sample.items} of ${judge.sample.of} items (${judge.calls} calls, ${judge.failedCalls} failed):`,
    );
    const rows = [
      ['partition relevance', judge.scores.partitionRelevance],
      ['hierarchical fit', judge.scores.hierarchicalFit],
      ['best fit', judge.scores.bestFit],
      ['exclusive fit', judge.scores.exclusiveFit],
      ['uniqueness', judge.scores.uniqueness],
    ] as const;
    for (const [label, s] of rows) {
      if (!s) continue;
      const failed = s.failed > 0 ? `, ${s.failed} failed` : '';
      lines.push(`  ${label.padEnd(20)} ${pct(s.score)}  (${s.passed}/${s.judged}${failed})`);
    }
    for (const f of judge.facets) {
      const failed = f.failed > 0 ? `, ${f.failed} failed` : '';
      const label = `facet ${f.facet}`.padEnd(20);
      lines.push(
        f.kind === 'category'
          ? `  ${label} ${pct(f.agreement)}  agreement (${f.agreed}/${f.judged}${failed})`
          : `  ${label} ${f.meanAbsDifference === null ? '    –' : f.meanAbsDifference.toFixed(2).padStart(6)}  mean absolute difference (${f.judged} judged${failed})`,
      );
    }
  }
  if (written) {
    lines.push(
      `Wrote cluster paths to ${written.examplesUpdated} examples of ${JSON.stringify(written.dataset)}` +
        (written.experiment ? `; experiment "${written.experiment.name}"` : ''),
    );
  }
  return lines.join('\n');
}
