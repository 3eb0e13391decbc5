import { ClioError } from '../util/errors.js';
import { type CostOptions, type PriceTable, requestCost, worstCaseCost } from './pricing.js';
import { addUsage, emptyUsage, type TaskKind, type TokenUsage } from './types.js';

/** Raised when a call's worst-case cost does not fit `llm.budget_usd`; stops the stage. */
export class BudgetExceededError extends ClioError {
  override name = 'BudgetExceededError';
  /** Stages stop on a fatal error instead of recording it against every remaining item. */
  readonly fatal = true;
}

/** What one kind of task spent. */
export interface KindSpend {
  readonly usage: TokenUsage;
  /** USD of the priced requests. */
  readonly costUsd: number;
}

/** A ledger's totals, serializable (run records, Lambda results). */
export interface LedgerSummary {
  readonly usage: TokenUsage;
  readonly costUsd: number;
  /** Models that billed tokens but have no known price: `costUsd` leaves them out. */
  readonly unpriced: string[];
  readonly byKind: Readonly<Partial<Record<TaskKind, KindSpend>>>;
}

/** Room held for a call in flight; settled by `charge` or given back by `release`. */
export interface Reservation {
  readonly usd: number;
  released: boolean;
  /** What the call was billed, charged against this reservation. */
  spent?: number;
}

/**
 * Where a run's budget is kept when several processes spend it (the Lambdas of one run): each
 * holds room before a call and settles after, so the run as a whole never passes the budget.
 */
export interface BudgetAccount {
  /**
   * Holds `usd` of `budgetUsd`: `held`; `busy` when calls in flight elsewhere hold the room it
   * needs; `exhausted` (with what was spent) when it would not fit even with none in flight.
   */
  hold(
    usd: number,
    budgetUsd: number,
  ): Promise<
    | { readonly status: 'held' | 'busy' }
    | { readonly status: 'exhausted'; readonly spentUsd: number }
  >;
  /** Gives back a hold of `heldUsd`, adding `spentUsd` to what the run spent. */
  settle(heldUsd: number, spentUsd: number): Promise<void>;
}

export interface LedgerOptions {
  /** `llm.budget_usd`: no call starts whose worst case would take spending over it. */
  readonly budgetUsd?: number | undefined;
  /** `llm.prices`. */
  readonly prices?: PriceTable | undefined;
  /** Shares the budget with other processes of the run; in memory (this process only) without. */
  readonly account?: BudgetAccount | undefined;
  /** Between `busy` answers of a shared account. Default 250 ms. */
  readonly busyWaitMs?: number | undefined;
  /**
   * How long a call waits for room held elsewhere before giving up: a process that died in a
   * call (a Lambda timeout) never gives its hold back. Default 2 minutes.
   */
  readonly maxBusyMs?: number | undefined;
}

export interface Charge {
  readonly kind: TaskKind;
  readonly model: string;
  /** One response's usage, as the API reported it. */
  readonly usage: TokenUsage;
  /** From Message Batches (half price). */
  readonly batch?: boolean;
}

const money = (usd: number) => `$${usd.toFixed(usd < 1 ? 4 : 2)}`;

/**
 * The run's account of what the provider billed: every response that carried a `usage` block is
 * charged here (valid replies, replies that failed validation, refusals, batch results), priced
 * per request, so this is the one source of truth for run.json's usage and cost. With a budget,
 * each call first reserves its worst case; a call that cannot fit even once the calls in flight
 * have settled is refused, so spending never passes the budget.
 */
export class UsageLedger {
  readonly budgetUsd: number | undefined;
  readonly #prices: PriceTable | undefined;
  readonly #account: BudgetAccount | undefined;
  readonly #busyWaitMs: number;
  readonly #maxBusyMs: number;
  /** A child forwards reservations and charges here: the budget is the parent's. */
  readonly #parent: UsageLedger | undefined;
  readonly #byKind = new Map<TaskKind, { usage: TokenUsage; costUsd: number }>();
  readonly #unpriced = new Set<string>();
  #spent = 0;
  #reserved = 0;
  #waiters: (() => void)[] = [];

  constructor(options: LedgerOptions = {}, parent?: UsageLedger) {
    this.#parent = parent;
    this.budgetUsd = options.budgetUsd;
    this.#prices = options.prices;
    this.#account = options.account;
    this.#busyWaitMs = options.busyWaitMs ?? 250;
    this.#maxBusyMs = options.maxBusyMs ?? 120_000;
  }

  /** USD a request's usage costs with this ledger's prices (undefined: price unknown). */
  price(model: string, usage: TokenUsage, options: Pick<CostOptions, 'batch'> = {}) {
    return requestCost(model, usage, { ...options, prices: this.#prices });
  }

  /** The most a request of this prompt length and output room can cost (undefined: unpriced). */
  worstCase(
    model: string,
    promptTokens: number,
    maxTokens: number,
    options: Pick<CostOptions, 'batch'> = {},
  ) {
    return worstCaseCost(model, promptTokens, maxTokens, { ...options, prices: this.#prices });
  }

  /**
   * A ledger of its own for one step of a run (what the step was billed) that keeps the run's
   * budget: its reservations are the parent's and its charges are the parent's too.
   */
  child(): UsageLedger {
    return new UsageLedger(
      { budgetUsd: this.budgetUsd, prices: this.#prices, busyWaitMs: this.#busyWaitMs },
      this,
    );
  }

  /** True when the budget lives in a shared account that outlives this process (its holds too). */
  get sharesBudget(): boolean {
    return this.#parent ? this.#parent.sharesBudget : this.#account !== undefined;
  }

  get spentUsd(): number {
    return this.#spent;
  }

  /**
   * Like `reserve`, but never waits: `busy` when calls in flight hold the room it needs (a Message
   * Batch holds its requests' room until its results arrive, so waiting for it would deadlock).
   */
  async tryReserve(usd: number): Promise<Reservation | 'busy'> {
    if (this.#parent) return this.#parent.tryReserve(usd);
    const budget = this.budgetUsd;
    if (budget === undefined) return { usd: 0, released: true };
    if (this.#account) {
      const answer = await this.#account.hold(usd, budget);
      if (answer.status === 'held') return { usd, released: false };
      if (answer.status === 'exhausted') throw this.#exceeded(budget, answer.spentUsd, usd);
      return 'busy';
    }
    if (this.#spent + usd > budget) throw this.#exceeded(budget, this.#spent, usd);
    if (this.#spent + this.#reserved + usd > budget) return 'busy';
    this.#reserved += usd;
    return { usd, released: false };
  }

  #exceeded(budget: number, spent: number, usd: number): BudgetExceededError {
    return new BudgetExceededError(
      `llm.budget_usd of ${money(budget)} would be exceeded: ${money(spent)} spent, the next call may cost up to ${money(usd)}; finished work is cached: raise the budget and run again to continue`,
    );
  }

  /**
   * Holds `usd` of the budget for a call about to start. Waits while calls in flight hold the
   * room it needs; throws `BudgetExceededError` when it would not fit even with none in flight.
   */
  async reserve(usd: number): Promise<Reservation> {
    if (this.#parent) return this.#parent.reserve(usd);
    const budget = this.budgetUsd;
    if (budget === undefined) return { usd: 0, released: true };
    const exceeded = (spent: number) => this.#exceeded(budget, spent, usd);
    const account = this.#account;
    if (account) {
      const giveUpAt = Date.now() + this.#maxBusyMs;
      for (;;) {
        const answer = await account.hold(usd, budget);
        if (answer.status === 'held') return { usd, released: false };
        if (answer.status === 'exhausted') throw exceeded(answer.spentUsd);
        if (Date.now() > giveUpAt) {
          throw new BudgetExceededError(
            `llm.budget_usd of ${money(budget)}: no room freed in ${Math.round(this.#maxBusyMs / 1000)} s; the rest is held by calls that never settled (a step that timed out); finished work is cached: run again to continue`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, this.#busyWaitMs));
      }
    }
    for (;;) {
      if (this.#spent + usd > budget) throw exceeded(this.#spent);
      if (this.#spent + this.#reserved + usd <= budget) {
        this.#reserved += usd;
        return { usd, released: false };
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /**
   * Gives back a reservation's room once its call ended, billed or not (what it was billed was
   * charged against it first).
   */
  async release(reservation: Reservation | undefined): Promise<void> {
    if (this.#parent) return this.#parent.release(reservation);
    if (!reservation || reservation.released) return;
    reservation.released = true;
    if (this.#account) {
      await this.#account.settle(reservation.usd, reservation.spent ?? 0);
      return;
    }
    this.#reserved -= reservation.usd;
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }

  /** Records one billed response (against the reservation it was made under, if any). */
  charge(charge: Charge, reservation?: Reservation): void {
    if (this.#parent) this.#parent.charge(charge, reservation);
    const cost = this.price(charge.model, charge.usage, { batch: charge.batch === true });
    if (reservation && !this.#parent) reservation.spent = (reservation.spent ?? 0) + (cost ?? 0);
    if (cost === undefined && hasTokens(charge.usage)) this.#unpriced.add(charge.model);
    const kind = this.#byKind.get(charge.kind) ?? { usage: emptyUsage(), costUsd: 0 };
    kind.usage = addUsage(kind.usage, charge.usage);
    kind.costUsd += cost ?? 0;
    this.#byKind.set(charge.kind, kind);
    this.#spent += cost ?? 0;
  }

  summary(): LedgerSummary {
    const byKind: Partial<Record<TaskKind, KindSpend>> = {};
    let usage = emptyUsage();
    for (const [kind, spend] of this.#byKind) {
      byKind[kind] = { usage: spend.usage, costUsd: spend.costUsd };
      usage = addUsage(usage, spend.usage);
    }
    return { usage, costUsd: this.#spent, unpriced: [...this.#unpriced].sort(), byKind };
  }
}

const hasTokens = (usage: TokenUsage) =>
  usage.inputTokens + usage.outputTokens + usage.cacheReadTokens + usage.cacheWriteTokens > 0;

/** Adds two summaries (the AWS steps each keep their own ledger). */
export function addSummaries(a: LedgerSummary, b: LedgerSummary): LedgerSummary {
  const byKind: Partial<Record<TaskKind, KindSpend>> = { ...a.byKind };
  for (const [kind, spend] of Object.entries(b.byKind) as [TaskKind, KindSpend][]) {
    const before = byKind[kind];
    byKind[kind] = before
      ? { usage: addUsage(before.usage, spend.usage), costUsd: before.costUsd + spend.costUsd }
      : spend;
  }
  return {
    usage: addUsage(a.usage, b.usage),
    costUsd: a.costUsd + b.costUsd,
    unpriced: [...new Set([...a.unpriced, ...b.unpriced])].sort(),
    byKind,
  };
}

export const emptySummary = (): LedgerSummary => ({
  usage: emptyUsage(),
  costUsd: 0,
  unpriced: [],
  byKind: {},
});

/**
 * A budget account in this process's memory, for executors that run a run's steps in one
 * process with a provider per step; the same contract as the run table's item on AWS.
 */
export class MemoryBudgetAccount implements BudgetAccount {
  #spent = 0;
  #committed = 0;

  /** USD held by calls not settled yet. */
  get heldUsd(): number {
    return this.#committed - this.#spent;
  }

  async hold(usd: number, budgetUsd: number) {
    if (this.#spent + usd > budgetUsd) {
      return { status: 'exhausted' as const, spentUsd: this.#spent };
    }
    if (this.#committed + usd > budgetUsd) return { status: 'busy' as const };
    this.#committed += usd;
    return { status: 'held' as const };
  }

  async settle(heldUsd: number, spentUsd: number): Promise<void> {
    this.#committed += spentUsd - heldUsd;
    this.#spent += spentUsd;
  }
}
