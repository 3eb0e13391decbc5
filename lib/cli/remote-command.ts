import type { RunRecord } from '../pipeline/run-record.js';
import type { ProgressReporter } from '../pipeline/types.js';
import { awsClients, type RemoteClients } from '../remote/clients.js';
import { type RemoteRunOptions, type RemoteRunResult, runRemote } from '../remote/run.js';
import { formatRunRows, listRemoteRuns, type RunRow } from '../remote/runs.js';
import { discoverStack } from '../remote/stack.js';
import { DynamoHierarchy } from '../store/dynamo-hierarchy.js';
import { formatOverview } from './overview.js';

/** Runs `use` with the given clients, or with default AWS clients it closes afterwards. */
async function withClients<T>(
  clients: RemoteClients | undefined,
  use: (clients: RemoteClients) => Promise<T>,
): Promise<T> {
  if (clients) return use(clients);
  const own = awsClients();
  try {
    return await use(own);
  } finally {
    own.destroy();
  }
}

export type RemoteGenerateOptions = Omit<RemoteRunOptions, 'clients'> & {
  readonly clients?: RemoteClients;
  readonly progress: ProgressReporter;
};

/** `open-clio generate --remote <stack>`: the run on AWS, its outputs downloaded to `save_path`. */
export function runRemoteGenerateCommand(options: RemoteGenerateOptions): Promise<RemoteRunResult> {
  return withClients(options.clients, (clients) => runRemote({ ...options, clients }));
}

/** The overview a local run prints, plus where the run lives on AWS. */
export function formatRemoteResult(result: RemoteRunResult): string {
  const { doc, location, files } = result.downloaded;
  return [
    formatOverview(doc, location, files),
    '',
    `Run ${result.runId} on stack ${result.stack.name}: outputs in s3://${result.stack.artifactsBucket}/runs/${result.runId}/`,
    ...(result.explorerUrl ? [`Explorer: ${result.explorerUrl}`] : []),
  ].join('\n');
}

export interface RunsCommandOptions {
  readonly stack: string;
  /** @default 20 */
  readonly limit?: number;
  readonly status?: RunRecord['status'];
  readonly clients?: RemoteClients;
}

/** `open-clio runs --remote <stack>`: recent runs, newest first. */
export function runRunsCommand(options: RunsCommandOptions): Promise<RunRow[]> {
  return withClients(options.clients, async (clients) => {
    const stack = await discoverStack(clients.cloudFormation, options.stack);
    const runs = new DynamoHierarchy({ client: clients.dynamo, tableName: stack.tableName });
    return listRemoteRuns(runs, {
      limit: options.limit ?? 20,
      ...(options.status ? { status: options.status } : {}),
    });
  });
}

export { formatRunRows };
