import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
} from '@aws-sdk/lib-dynamodb';
import { KEY_PREFIX, TABLE_SCHEMA, tableKeys } from './dynamo-hierarchy.js';

/**
 * Which execution a start belongs to, in the run table:
 * - a trigger claim (`TRIGGER#<configKey>` / `upload#<etag>` or `schedule#<time>`) keeps one
 *   upload or scheduled tick from starting two runs;
 * - an execution pointer (`EXECUTION#<arn>` / `EXECUTION`) names the run an execution created,
 *   so a run can be closed when its execution ends where no state of its own could (a timeout,
 *   an abort, an error left for a redrive).
 * Both expire (DynamoDB TTL on `expiresAt`), so claims never released and pointers of old
 * executions do not pile up.
 */
export const TTL_ATTRIBUTE = 'expiresAt';

/**
 * Long enough to outlive every duplicate of a start (EventBridge and the Scheduler retry a
 * delivery for up to 6 hours) and a run (24 hours) plus redrive's 14 days; an identical
 * upload after that starts a new run.
 */
export const CLAIM_TTL_DAYS = 15;
const DAY_S = 86_400;

const executionKey = (executionArn: string) => ({
  [TABLE_SCHEMA.partitionKey]: `${KEY_PREFIX.execution}${executionArn}`,
  [TABLE_SCHEMA.sortKey]: 'EXECUTION',
});

const isConditionFailure = (error: unknown) =>
  (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException';

export interface TriggerClaimsOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  readonly now?: () => Date;
}

export class TriggerClaims {
  readonly #client: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #now: () => Date;

  constructor(options: TriggerClaimsOptions) {
    this.#client = options.client;
    this.#table = options.tableName;
    this.#now = options.now ?? (() => new Date());
  }

  #expiresAt(): number {
    return Math.floor(this.#now().getTime() / 1000) + CLAIM_TTL_DAYS * DAY_S;
  }

  /**
   * Claims a start for `executionArn`. True when this execution holds the claim: a retry of the
   * same claim (its first attempt wrote the item, then timed out) still holds it.
   */
  async claim(configKey: string, trigger: string, executionArn: string): Promise<boolean> {
    try {
      await this.#client.send(
        new PutCommand({
          TableName: this.#table,
          Item: {
            ...tableKeys.trigger(configKey, trigger),
            executionArn,
            claimedAt: this.#now().toISOString(),
            [TTL_ATTRIBUTE]: this.#expiresAt(),
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #arn = :arn',
          ExpressionAttributeNames: { '#pk': TABLE_SCHEMA.partitionKey, '#arn': 'executionArn' },
          ExpressionAttributeValues: { ':arn': executionArn },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /**
   * Forgets the claim, so the same upload can start a run again; only the execution holding it
   * may (a start that lost the claim must not free the winner's).
   */
  async release(configKey: string, trigger: string, executionArn: string): Promise<boolean> {
    try {
      await this.#client.send(
        new DeleteCommand({
          TableName: this.#table,
          Key: tableKeys.trigger(configKey, trigger),
          ConditionExpression: '#arn = :arn',
          ExpressionAttributeNames: { '#arn': 'executionArn' },
          ExpressionAttributeValues: { ':arn': executionArn },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  /** Notes the run an execution created (Prepare calls this as soon as the run exists). */
  async recordRun(executionArn: string, runId: string): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...executionKey(executionArn), runId, [TTL_ATTRIBUTE]: this.#expiresAt() },
      }),
    );
  }

  async runOf(executionArn: string): Promise<string | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#table,
        Key: executionKey(executionArn),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.runId === 'string' ? Item.runId : undefined;
  }
}
