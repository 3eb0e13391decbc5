import { Client, type Example, uuid7 } from 'langsmith';
import { convertToDottedOrderFormat } from 'langsmith/run_trees';
import pLimit from 'p-limit';
import { type ClioConfig, configSourceKind } from '../config/index.js';
import type { HierarchyDoc, ItemRecord } from '../output/hierarchy-schema.js';
import { isNotFound, langSmithError, readLangSmithSettings } from '../sources/langsmith/client.js';
import { ClioError } from '../util/errors.js';
import { errorStatus } from '../util/retry.js';
import type { JudgeResult } from './judge.js';
import type { Verdict } from './judge-plan.js';
import { checkLabel } from './judge-score.js';

/**
 * `evaluate --write-back`: each item's cluster path goes onto its LangSmith example as metadata,
 * and the judge's verdicts become an experiment on the dataset, the way LangSmith's own
 * `evaluate()` records one: a project linked to the dataset, one run per judged example
 * (`reference_example_id`) and a feedback per verdict (score 1 or 0, the reason as comment).
 */

export class WriteBackError extends ClioError {
  override name = 'WriteBackError';
}

/** The metadata keys written on each example; anything else on the example is kept. */
export const WRITE_BACK_KEYS = {
  path: 'clio_cluster_path',
  ids: 'clio_cluster_ids',
  partition: 'clio_partition',
  run: 'clio_run_id',
} as const;

export interface WriteBackSummary {
  readonly dataset: string;
  readonly examplesUpdated: number;
  /** Items of the run with no example of that id in the dataset; nothing was written for them. */
  readonly missing: number;
  /** The experiment holding the judge's verdicts; null when nothing was judged. */
  readonly experiment: {
    readonly id: string;
    readonly name: string;
    readonly runs: number;
    readonly feedback: number;
  } | null;
}

/** Examples per PATCH request; LangSmith's multipart update takes many at once. */
const UPDATE_CHUNK = 100;
const NAME_ATTEMPTS = 5;

/** The dataset `--write-back` writes to, or a clear error for any other source. */
export function writeBackDataset(config: ClioConfig): string {
  const kind = configSourceKind(config);
  if (kind === 'dataset' && config.dataset_name !== undefined) return config.dataset_name;
  const what =
    kind === 'project'
      ? `a tracing project (project_name ${JSON.stringify(config.project_name)})`
      : 'a local file (source.file)';
  throw new WriteBackError(
    `--write-back records cluster paths on the examples of a LangSmith dataset, and this config reads ${what}; run evaluate without --write-back`,
  );
}

/**
 * A client for writing: runs are posted one request each (no background batching), so every
 * write has finished, or failed loudly, when the command ends.
 */
export function createWriteBackClient(env: NodeJS.ProcessEnv, cwd: string): Client {
  const { apiKey, apiUrl, workspaceId } = readLangSmithSettings(env, cwd);
  return new Client({
    apiKey,
    apiUrl,
    autoBatchTracing: false,
    ...(workspaceId ? { workspaceId } : {}),
  });
}

export interface WriteBackDeps {
  readonly client: Client;
  readonly datasetName: string;
  readonly concurrency: number;
  readonly now?: () => Date;
}

export async function writeBack(
  doc: HierarchyDoc,
  judge: JudgeResult,
  deps: WriteBackDeps,
): Promise<WriteBackSummary> {
  const { client, datasetName } = deps;
  const quoted = JSON.stringify(datasetName);
  const call: Call = async (doing, fn) => {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ClioError) throw error;
      throw langSmithError(client, doing, error);
    }
  };
  const dataset = await call(`reading dataset ${quoted}`, async () => {
    try {
      return await client.readDataset({ datasetName });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      throw new WriteBackError(
        `LangSmith dataset ${quoted} not found; --write-back writes to the dataset the run was made from`,
      );
    }
  });
  const examples = new Map<string, Example>();
  await call(`listing the examples of dataset ${quoted}`, async () => {
    for await (const example of client.listExamples({ datasetId: dataset.id })) {
      examples.set(example.id, example);
    }
  });

  const names = new Map(doc.clusters.map((c) => [`${c.level}:${c.id}`, c.name]));
  const pathOf = (item: ItemRecord) =>
    item.path
      .map((id, level) => names.get(`${level}:${id}`) ?? String(id))
      .reverse()
      .join(' > ');
  const present = doc.items.filter((item) => examples.has(item.id));
  const updates = present.map((item) => ({
    id: item.id,
    dataset_id: dataset.id,
    metadata: {
      ...(examples.get(item.id)?.metadata ?? {}),
      [WRITE_BACK_KEYS.path]: pathOf(item),
      [WRITE_BACK_KEYS.ids]: [...item.path].reverse(),
      [WRITE_BACK_KEYS.partition]: item.partition,
      [WRITE_BACK_KEYS.run]: doc.run.runId,
    },
  }));
  for (let k = 0; k < updates.length; k += UPDATE_CHUNK) {
    await call(`updating the examples of dataset ${quoted}`, () =>
      client.updateExamples(updates.slice(k, k + UPDATE_CHUNK)),
    );
  }
  const summary = {
    dataset: datasetName,
    examplesUpdated: updates.length,
    missing: doc.items.length - present.length,
  };
  if (judge.status !== 'judged' || judge.items.length === 0)
    return { ...summary, experiment: null };

  const now = (deps.now ?? (() => new Date()))();
  const metadata = {
    [WRITE_BACK_KEYS.run]: doc.run.runId,
    judge_llm: judge.llm,
    eval_sample: judge.sample.items,
    seed: judge.sample.seed,
  };
  const project = await createExperiment(client, call, {
    name: `open-clio ${doc.run.runId} judged ${now.toISOString().slice(0, 19)}Z`,
    datasetId: dataset.id,
    description: `OpenCLIO judge verdicts for run ${doc.run.runId} (${judge.llm})`,
    metadata,
    examples: judge.items.length,
  });
  const byId = new Map(doc.items.map((item) => [item.id, item]));
  const limit = pLimit(deps.concurrency);
  let runs = 0;
  let feedback = 0;
  const started = now.getTime();
  await Promise.all(
    judge.items.map((judged) =>
      limit(async () => {
        const example = examples.get(judged.id);
        const item = byId.get(judged.id);
        if (!example || !item) return;
        const id = uuid7();
        const { dottedOrder } = convertToDottedOrderFormat(started, id);
        await call('recording an experiment run', () =>
          client.createRun({
            id,
            trace_id: id,
            dotted_order: dottedOrder,
            name: 'open-clio',
            run_type: 'chain',
            project_name: project.name,
            reference_example_id: example.id,
            inputs: example.inputs,
            outputs: { cluster_path: pathOf(item), summary: item.summary },
            start_time: started,
            end_time: started,
          }),
        );
        runs++;
        const verdicts: [string, Verdict | undefined][] = [
          ['partition_relevance', judged.partitionRelevance],
          ...judged.hierarchicalFit.map((v): [string, Verdict] => [
            `hierarchical_fit_level_${v.level}`,
            v,
          ]),
          ['best_fit', judged.bestFit],
          ['exclusive_fit', judged.exclusiveFit],
          // With eval_facets: 1 when the judge gave the recorded answer (a scale: the same number).
          ...Object.entries(judged.facets ?? {}).map(([name, v]): [string, Verdict] => [
            `facet_${name}`,
            v,
          ]),
        ];
        for (const [key, verdict] of verdicts) {
          // A judgement with no valid reply is neither a pass nor a fail: no feedback.
          if (!verdict || !('pass' in verdict)) continue;
          await call(`recording ${key} feedback`, () =>
            client.createFeedback({
              runId: id,
              sessionId: project.id,
              key,
              score: verdict.pass ? 1 : 0,
              comment: verdict.reason,
              feedbackSourceType: 'model',
              sourceInfo: { judge: judge.llm },
            }),
          );
          feedback++;
        }
      }),
    ),
  );
  const uniqueness = judge.scores.uniqueness?.score;
  if (uniqueness !== undefined && uniqueness !== null) {
    const perLevel = judge.levels
      .filter((l) => l.uniqueness?.score != null)
      .map((l) => `level ${l.level}: ${l.uniqueness?.passed}/${l.uniqueness?.judged} distinct`);
    await call('recording the uniqueness feedback', () =>
      client.createFeedback({
        projectId: project.id,
        key: 'uniqueness',
        score: uniqueness,
        comment: `${checkLabel({ metric: 'uniqueness' })} of nearest cluster pairs: ${perLevel.join('; ')}`,
        feedbackSourceType: 'model',
      }),
    );
    feedback++;
  }
  await call('closing the experiment', () =>
    client.updateProject(project.id, { metadata, endTime: now.toISOString() }),
  );
  return { ...summary, experiment: { id: project.id, name: project.name, runs, feedback } };
}

type Call = <T>(doing: string, fn: () => Promise<T>) => Promise<T>;

/** An experiment project on the dataset, under a fresh name if this one is taken. */
async function createExperiment(
  client: Client,
  call: Call,
  spec: {
    name: string;
    datasetId: string;
    description: string;
    metadata: Record<string, unknown>;
    examples: number;
  },
): Promise<{ id: string; name: string }> {
  for (let attempt = 1; ; attempt++) {
    const projectName = attempt === 1 ? spec.name : `${spec.name} (${attempt})`;
    try {
      const project = await client.createProject({
        projectName,
        referenceDatasetId: spec.datasetId,
        description: spec.description,
        metadata: spec.metadata,
        numExamples: spec.examples,
      });
      return { id: project.id, name: projectName };
    } catch (error) {
      if (errorStatus(error) !== 409 || attempt >= NAME_ATTEMPTS) {
        return call('creating the experiment', () => Promise.reject(error));
      }
    }
  }
}
