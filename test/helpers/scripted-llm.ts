import type { Embedder } from '../../lib/embed/types.js';
import { UsageLedger } from '../../lib/llm/ledger.js';
import { emptyUsage, type Llm, type LlmReply, type LlmTask } from '../../lib/llm/types.js';

/**
 * A stand-in model for tests of the stages above the Llm interface: it answers each task with a
 * rule the test chooses, and its replies still go through the task's zod schema, as a real
 * provider's do. Calls are counted per task.
 */
export class ScriptedLlm implements Llm {
  readonly id = 'scripted@test';
  readonly generative = true;
  readonly calls = new Map<string, number>();
  readonly ledger = new UsageLedger();

  constructor(private readonly answers: Record<string, (input: never) => unknown>) {}

  async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
    this.calls.set(task.name, (this.calls.get(task.name) ?? 0) + 1);
    const answer = this.answers[task.name];
    if (!answer) throw new Error(`no scripted answer for ${task.name}`);
    task.prompt(input); // the prompt must build for every input a stage sends
    const value = task.reply.parse(await answer(input as never));
    return {
      value,
      usage: { ...emptyUsage(), inputTokens: 10, outputTokens: 5, requests: 1 },
      model: this.id,
    };
  }
}

/** Bag-of-words vectors hashed into 64 dimensions: deterministic and good enough for word overlap. */
export const wordEmbedder: Embedder = {
  id: 'words@test',
  dimensions: 64,
  async embed(texts) {
    return texts.map((text) => {
      const v = new Float32Array(64);
      for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
        let h = 0;
        for (const ch of word) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
        v[h % 64] = (v[h % 64] ?? 0) + 1;
      }
      const norm = Math.hypot(...v) || 1;
      return v.map((x) => x / norm);
    });
  },
  close: async () => {},
};
