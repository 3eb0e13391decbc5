import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { RecordCache } from '../store/types.js';
import { emptyUsage, type Llm, type LlmReply, type LlmTask } from './types.js';

/** A reply as kept: the parsed value (re-validated on reuse) and the model that gave it. */
export const cachedReply = z.object({ value: z.unknown(), model: z.string() });
export type CachedReply = z.infer<typeof cachedReply>;

/** The same provider, task version and prompt: the same question, whatever step asks it. */
function replyKey<I, O>(llm: Llm, task: LlmTask<I, O>, input: I): string {
  const question = JSON.stringify([llm.id, task.name, task.version, task.prompt(input)]);
  return createHash('sha256').update(question).digest('base64url');
}

/**
 * The provider, answering a question it already answered from `cache` without a request: a
 * retried step (a ClusterLevel Lambda that timed out after naming half its clusters) pays only
 * for what it had not asked yet. A reused reply costs nothing and is re-validated by the task's
 * schema; one that no longer parses is asked again.
 */
export function withReplyCache(llm: Llm, cache: RecordCache<CachedReply>): Llm {
  const { withLedger, costOf, modelFor, estimateInputTokens, countInputTokens } = llm;
  return {
    id: llm.id,
    generative: llm.generative,
    ledger: llm.ledger,
    async run<I, O>(task: LlmTask<I, O>, input: I): Promise<LlmReply<O>> {
      const key = replyKey(llm, task, input);
      const kept = cache.get(key);
      if (kept) {
        const parsed = task.reply.safeParse(kept.value);
        if (parsed.success) return { value: parsed.data, usage: emptyUsage(), model: kept.model };
      }
      const reply = await llm.run(task, input);
      await cache.set(key, { value: reply.value, model: reply.model });
      return reply;
    },
    // The provider's other abilities, unchanged (methods of a class: bound to it).
    ...(withLedger
      ? { withLedger: (ledger) => withReplyCache(withLedger.call(llm, ledger), cache) }
      : {}),
    ...(costOf ? { costOf: costOf.bind(llm) } : {}),
    ...(modelFor ? { modelFor: modelFor.bind(llm) } : {}),
    ...(estimateInputTokens ? { estimateInputTokens: estimateInputTokens.bind(llm) } : {}),
    ...(countInputTokens ? { countInputTokens: countInputTokens.bind(llm) } : {}),
  };
}
