import { afterAll, beforeAll, expect, it } from 'vitest';
import { BudgetExceededError, UsageLedger } from '../../lib/llm/ledger.js';
import { emptyUsage } from '../../lib/llm/types.js';
import { DynamoBudgetAccount } from '../../lib/store/dynamo-budget.js';
import { type DynamoEmulator, startDynamo } from '../infra/emulators.js';

/**
 * One run's budget spent by several Lambdas at once: each keeps its own ledger, all hold and
 * settle through the run's budget item, so the run as a whole never spends past the budget.
 */
const TABLE = 'open-clio';
let dynamo: DynamoEmulator;
beforeAll(async () => {
  dynamo = await startDynamo();
  await dynamo.createRunsTable(TABLE);
});
afterAll(() => dynamo?.close());

/** A "call" of worst case $0.30 that turns out to cost $0.10 (200k output tokens at $0.50/M). */
async function call(ledger: UsageLedger): Promise<void> {
  const reservation = await ledger.reserve(0.3);
  await new Promise((resolve) => setTimeout(resolve, 5));
  const usage = { ...emptyUsage(), outputTokens: 200_000, requests: 1 };
  ledger.charge({ kind: 'summarize', model: 'claude-haiku-5-5', usage }, reservation);
  await ledger.release(reservation);
}

it('keeps one budget for all the Lambdas of a run, under concurrency', async () => {
  const account = () =>
    new DynamoBudgetAccount({ client: dynamo.client, tableName: TABLE, runId: 'run-1' });
  const lambdas = Array.from(
    { length: 4 },
    () => new UsageLedger({ budgetUsd: 2, account: account(), busyWaitMs: 5 }),
  );
  const outcomes = await Promise.allSettled(
    lambdas.flatMap((ledger) => Array.from({ length: 8 }, () => call(ledger))),
  );
  const done = outcomes.filter((o) => o.status === 'fulfilled').length;
  const refused = outcomes.filter((o) => o.status === 'rejected');
  for (const r of refused)
    expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExceededError);
  const spent = await account().spent();
  // Each call spends $0.10: the budget pays for 20 of the 32, never more, and most of it is used.
  expect(spent).toBeCloseTo(done * 0.1, 10);
  expect(spent).toBeLessThanOrEqual(2 + 1e-9);
  expect(done).toBeGreaterThanOrEqual(17);
  expect(refused.length).toBe(32 - done);
  const local = lambdas.reduce((sum, l) => sum + l.spentUsd, 0);
  expect(local).toBeCloseTo(spent, 10);
});

it('says how much the run had spent when it refuses', async () => {
  const account = new DynamoBudgetAccount({
    client: dynamo.client,
    tableName: TABLE,
    runId: 'run-2',
  });
  const ledger = new UsageLedger({ budgetUsd: 0.35, account });
  await call(new UsageLedger({ budgetUsd: 0.35, account }));
  await expect(ledger.reserve(0.3)).rejects.toThrow(/\$0\.3500 would be exceeded: \$0\.1000 spent/);
});
