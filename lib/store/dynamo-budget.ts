import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BudgetAccount } from '../llm/ledger.js';
import { KEY_PREFIX } from './dynamo-hierarchy.js';

/** The run's budget item: beside its run record, under the same partition. */
export const budgetKey = (runId: string) => ({ pk: `${KEY_PREFIX.run}${runId}`, sk: 'BUDGET' });

/**
 * Amounts are kept in whole micro-dollars: float sums drift apart (`committed` 1.7000000000000004
 * against `spent` 1.7), and a hold could then wait forever for room that is never freed.
 */
const micro = (usd: number) => Math.round(usd * 1_000_000);

const isConditionFailure = (error: unknown) =>
  (error as { name?: unknown }).name === 'ConditionalCheckFailedException';

/**
 * One run's `llm.budget_usd` shared by all of its Lambdas, in the run table. The item keeps
 * `spent` (settled calls) and `committed` (spent plus the worst cases of calls in flight), in
 * micro-dollars. A hold
 * is one conditional update, `committed + usd <= budget` (written as `committed <= budget − usd`:
 * expressions cannot add), so concurrent Lambdas can never commit past the budget together.
 */
export class DynamoBudgetAccount implements BudgetAccount {
  readonly #client: DynamoDBDocumentClient;
  readonly #tableName: string;
  readonly #key: { pk: string; sk: string };

  constructor(options: { client: DynamoDBDocumentClient; tableName: string; runId: string }) {
    this.#client = options.client;
    this.#tableName = options.tableName;
    this.#key = budgetKey(options.runId);
  }

  async hold(usd: number, budgetUsd: number) {
    try {
      await this.#client.send(
        new UpdateCommand({
          TableName: this.#tableName,
          Key: this.#key,
          UpdateExpression:
            'SET committed = if_not_exists(committed, :zero) + :usd, spent = if_not_exists(spent, :zero)',
          ConditionExpression:
            '(attribute_not_exists(committed) AND :usd <= :budget) OR committed <= :room',
          ExpressionAttributeValues: {
            ':zero': 0,
            ':usd': micro(usd),
            ':budget': micro(budgetUsd),
            ':room': micro(budgetUsd) - micro(usd),
          },
        }),
      );
      return { status: 'held' as const };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const spentUsd = await this.spent();
    return micro(spentUsd) + micro(usd) > micro(budgetUsd)
      ? { status: 'exhausted' as const, spentUsd }
      : { status: 'busy' as const };
  }

  async settle(heldUsd: number, spentUsd: number): Promise<void> {
    await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: this.#key,
        UpdateExpression: 'ADD committed :delta, spent :spent',
        ExpressionAttributeValues: {
          ':delta': micro(spentUsd) - micro(heldUsd),
          ':spent': micro(spentUsd),
        },
      }),
    );
  }

  /** What the run's settled calls have spent so far. */
  async spent(): Promise<number> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: this.#key, ConsistentRead: true }),
    );
    return typeof Item?.spent === 'number' ? Item.spent / 1_000_000 : 0;
  }
}
