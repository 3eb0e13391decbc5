import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import {
  type ClusterRecord,
  clusterSchema,
  type HierarchyDoc,
} from '../output/hierarchy-schema.js';
import { type RunRecord, runRecordSchema } from '../pipeline/run-record.js';

/**
 * The single table's key schema, shared with its CDK definition (`lib/infra/table.ts`), which
 * documents the access patterns.
 */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  runsIndex: { name: 'runs-by-time', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** Key prefixes; the state machine builds trigger keys with the same ones. */
export const KEY_PREFIX = {
  run: 'RUN#',
  cluster: 'CLUSTER#',
  trigger: 'TRIGGER#',
  execution: 'EXECUTION#',
} as const;
const RUN_SORT_KEY = 'RUN';
const RUNS_PARTITION = 'RUNS';

/** Failures and warnings kept on the item; the full lists stay in the run's `run.json`. */
export const MAX_LISTED = 50;
const MAX_REASON = 500;
const BATCH_WRITE_LIMIT = 25;

const pad = (n: number, width: number) => String(n).padStart(width, '0');

export const tableKeys = {
  run: (runId: string) => ({ pk: `${KEY_PREFIX.run}${runId}`, sk: RUN_SORT_KEY }),
  /** Zero-padded so one level's clusters sort by id and `begins_with` selects a level. */
  cluster: (runId: string, level: number, id: number) => ({
    pk: `${KEY_PREFIX.run}${runId}`,
    sk: `${KEY_PREFIX.cluster}${pad(level, 2)}#${pad(id, 6)}`,
  }),
  /** `trigger` is `upload#<etag>` or `schedule#<time>`: one claim per distinct start. */
  trigger: (configKey: string, trigger: string) => ({
    pk: `${KEY_PREFIX.trigger}${configKey}`,
    sk: trigger,
  }),
} as const;

/** A run as stored: the record with bounded lists, plus what the table adds. */
export const storedRunSchema = runRecordSchema.extend({
  failureCount: z.number().int(),
  durationMs: z.number().nullable(),
  levels: z.array(z.object({ level: z.number().int(), count: z.number().int() })).optional(),
});
export type StoredRun = z.infer<typeof storedRunSchema>;

export interface DynamoHierarchyOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Waits between retries of unprocessed batch writes (throttled partitions).
   * @default exponential from 50 ms
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface ListRunsOptions {
  /** @default 50 */
  readonly limit?: number;
  /** @default every status */
  readonly status?: RunRecord['status'];
}

/**
 * Run records and the cluster hierarchy in one DynamoDB table. Writes are idempotent, so a
 * retried Lambda that writes again leaves the same items. Serves as the staged pipeline's
 * run index (`putRun`, `putHierarchy`).
 */
export class DynamoHierarchy {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoHierarchyOptions) {
    if (!options.tableName) throw new Error('DynamoHierarchy: tableName must be non-empty');
    this.#client = options.client;
    this.#table = options.tableName;
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /**
   * Writes the record's fields onto the run item. An update rather than a put, so attributes
   * written separately (the levels of a finished hierarchy) survive later record writes.
   */
  async putRun(record: RunRecord): Promise<void> {
    const finished = record.finishedAt ? Date.parse(record.finishedAt) : Number.NaN;
    const fields: Record<string, unknown> = {
      ...record,
      failures: record.failures
        .slice(0, MAX_LISTED)
        .map((f) => ({ ...f, reason: f.reason.slice(0, MAX_REASON) })),
      warnings: record.warnings.slice(0, MAX_LISTED).map((w) => w.slice(0, MAX_REASON)),
      failureCount: record.failures.length,
      durationMs: Number.isNaN(finished) ? null : finished - Date.parse(record.createdAt),
      type: 'run',
      [TABLE_SCHEMA.runsIndex.partitionKey]: RUNS_PARTITION,
      [TABLE_SCHEMA.runsIndex.sortKey]: `${record.createdAt}#${record.runId}`,
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets = Object.entries(fields).map(([name, value], i) => {
      names[`#f${i}`] = name;
      values[`:v${i}`] = value;
      return `#f${i} = :v${i}`;
    });
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: tableKeys.run(record.runId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Replaces the run's clusters with the document's (stale ones from an earlier attempt are
   * deleted) and notes the cluster count per level on the run item.
   */
  async putHierarchy(doc: HierarchyDoc): Promise<void> {
    const { runId } = doc.run;
    const fresh = doc.clusters.map((c) => ({
      ...tableKeys.cluster(runId, c.level, c.id),
      type: 'cluster',
      runId,
      ...c,
    }));
    const keep = new Set(fresh.map((c) => c.sk));
    const stale = (await this.#clusterKeys(runId)).filter((k) => !keep.has(k.sk));
    await this.#batchWrite([
      ...fresh.map((Item) => ({ PutRequest: { Item } })),
      ...stale.map((Key) => ({ DeleteRequest: { Key } })),
    ]);
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: tableKeys.run(runId),
        UpdateExpression: 'SET #levels = :levels',
        ExpressionAttributeNames: { '#levels': 'levels' },
        ExpressionAttributeValues: { ':levels': doc.levels },
      }),
    );
  }

  async getRun(runId: string): Promise<StoredRun | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#table, Key: tableKeys.run(runId) }),
    );
    return Item ? storedRunSchema.parse(Item) : undefined;
  }

  /** Newest first. */
  async listRuns(options: ListRunsOptions = {}): Promise<StoredRun[]> {
    const limit = options.limit ?? 50;
    const { partitionKey, name } = TABLE_SCHEMA.runsIndex;
    const items = await this.#query(
      {
        IndexName: name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: {
          '#pk': partitionKey,
          ...(options.status ? { '#status': 'status' } : {}),
        },
        ExpressionAttributeValues: {
          ':pk': RUNS_PARTITION,
          ...(options.status ? { ':status': options.status } : {}),
        },
        ...(options.status ? { FilterExpression: '#status = :status' } : {}),
        ScanIndexForward: false,
      },
      limit,
    );
    return items.map((item) => storedRunSchema.parse(item));
  }

  /** One level's clusters by id, or every level's. */
  async listClusters(runId: string, level?: number): Promise<ClusterRecord[]> {
    const items = await this.#query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey, '#sk': TABLE_SCHEMA.sortKey },
      ExpressionAttributeValues: {
        ':pk': tableKeys.run(runId).pk,
        ':sk': level === undefined ? KEY_PREFIX.cluster : `${KEY_PREFIX.cluster}${pad(level, 2)}#`,
      },
    });
    return items.map((item) => clusterSchema.parse(item));
  }

  async #clusterKeys(runId: string): Promise<{ pk: string; sk: string }[]> {
    const items = await this.#query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :sk)',
      ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey, '#sk': TABLE_SCHEMA.sortKey },
      ExpressionAttributeValues: { ':pk': tableKeys.run(runId).pk, ':sk': KEY_PREFIX.cluster },
      ProjectionExpression: '#pk, #sk',
    });
    return items as { pk: string; sk: string }[];
  }

  async #query(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit = Number.POSITIVE_INFINITY,
  ): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.#client.send(
        new QueryCommand({ ...input, TableName: this.#table, ExclusiveStartKey: start }),
      );
      items.push(...(page.Items ?? []));
      start = page.LastEvaluatedKey;
    } while (start && items.length < limit);
    return items.slice(0, limit);
  }

  async #batchWrite(
    requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string],
  ): Promise<void> {
    for (let i = 0; i < requests.length; i += BATCH_WRITE_LIMIT) {
      let pending = requests.slice(i, i + BATCH_WRITE_LIMIT);
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= 8)
          throw new Error(
            `DynamoHierarchy: ${pending.length} writes to ${this.#table} still unprocessed after ${attempt} attempts`,
          );
        if (attempt > 0) await this.#sleep(50 * 2 ** attempt);
        const { UnprocessedItems } = await this.#client.send(
          new BatchWriteCommand({ RequestItems: { [this.#table]: pending } }),
        );
        pending = UnprocessedItems?.[this.#table] ?? [];
      }
    }
  }
}
