/** One kind of request inside a category, with its own phrasings. */
export interface Intent {
  /** First statement of the problem; templates with `{slot}` and `[a|b]` choices. */
  readonly openers: readonly string[];
  /** Extra sentences that may follow the opener. */
  readonly details: readonly string[];
  /** What the customer says after the agent's first reply. */
  readonly followups: readonly string[];
}

export type Plan = 'free' | 'team' | 'enterprise';

export interface Category {
  /** Ground-truth label written to each row. */
  readonly label: string;
  /** How many conversations to generate. */
  readonly count: number;
  /** One-line messages (the whole conversation, or an aside in another one). */
  readonly short: readonly string[];
  readonly intents: readonly Intent[];
  /** Topic-specific first replies of the support agent. */
  readonly agent: readonly string[];
  /** Relative weights of the customer's plan. */
  readonly plans: Readonly<Record<Plan, number>>;
}
