import { describe, expect, it } from 'vitest';
import { OfflineLlm } from '../../lib/llm/offline.js';
import { nameClusterTask } from '../../lib/prompts/naming.js';
import { renderSummaryPrompt } from '../../lib/prompts/render.js';
import { summarizeTask } from '../../lib/prompts/summarize.js';
import type { Item } from '../../lib/sources/types.js';
import { wordEmbedder } from '../helpers/scripted-llm.js';

const conversation: Item = {
  id: 'c1',
  inputs: {
    messages: [
      { role: 'user', content: 'Hello,' },
      {
        role: 'user',
        content: 'My invoice shows a **double charge** for March. Can you refund one?',
      },
      { role: 'assistant', content: 'Sorry about that, I have escalated it to billing.' },
      { role: 'user', content: 'Thanks!\nBest,\nSam' },
    ],
  },
  metadata: {},
};

async function summarize(
  item: Item,
  template: string,
  partitions: Record<string, string> | null = null,
  llm = new OfflineLlm(),
) {
  const rendered = renderSummaryPrompt(template, item);
  return (await llm.run(summarizeTask(partitions), { rendered, partitions })).value;
}

describe('offline summaries', () => {
  it('extract what the user said, without greetings, sign-offs or markup', async () => {
    const { summary } = await summarize(conversation, 'Summarize: {{example.inputs.messages}}');
    expect(summary).toBe('My invoice shows a double charge for March. Can you refund one?');
  });

  it('take every inserted string when there is no conversation, and truncate long text', async () => {
    const long: Item = {
      id: 'x',
      inputs: { question: Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ') },
      metadata: {},
    };
    const { summary } = await summarize(long, '{{example.inputs}}');
    expect(summary.split(' ')).toHaveLength(40);
    expect(summary.startsWith('word0 word1')).toBe(true);
  });

  it('are deterministic', async () => {
    const a = await summarize(conversation, '{{run.inputs}}');
    const b = await summarize(conversation, '{{run.inputs}}');
    expect(a).toEqual(b);
  });

  it('pick the partition whose description is closest, by embedding or by shared words', async () => {
    const partitions = {
      'Account & Billing': 'refund, invoice, charge, payment and subscription questions',
      'Technical Issues': 'errors, crashes, bugs and slow pages',
    };
    for (const llm of [new OfflineLlm(), new OfflineLlm({ embedder: wordEmbedder })]) {
      expect(
        (await summarize(conversation, '{{example.inputs.messages}}', partitions, llm)).partition,
      ).toBe('Account & Billing');
    }
  });

  it('refuse tasks only a generative model can do', async () => {
    const llm = new OfflineLlm();
    expect(llm.generative).toBe(false);
    const task = { ...nameClusterTask, name: 'propose_parents' };
    await expect(llm.run(task, { members: [], contrast: [], keywords: [] })).rejects.toThrow(
      /cannot run the "propose_parents" task/,
    );
  });
});
