import { ClioError } from '../util/errors.js';
import type { Llm, LlmReply, LlmTask } from './types.js';

/** Raised once the run has spent its `llm.budget_usd`; stops the stage rather than one item. */
export class BudgetExceededError extends ClioError {
  override name = 'BudgetExceededError';
  /** Stages stop on a fatal error instead of recording it against every remaining item. */
  readonly fatal = true;
}

/**
 * An Llm that refuses new calls once `budgetUsd` is spent, at list prices of the replies so far.
 * What was finished stays cached, so the run resumes with a larger budget.
 */
export function withBudget(llm: Llm, budgetUsd: number): Llm & { readonly spentUsd: number } {
  let spent = 0;
  return {
    id: llm.id,
    generative: llm.generative,
    get spentUsd() {
      return spent;
    },
    costOf: (usage, kind) => llm.costOf?.(usage, kind),
    async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
      if (spent >= budgetUsd) {
        throw new BudgetExceededError(
          `llm.budget_usd of $${budgetUsd.toFixed(2)} reached ($${spent.toFixed(2)} spent); finished work is cached: raise the budget and run again to continue`,
        );
      }
      const reply = await llm.run(task, input);
      spent += llm.costOf?.(reply.usage, task.kind) ?? 0;
      return reply;
    },
  };
}
