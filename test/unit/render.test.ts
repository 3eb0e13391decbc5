import { describe, expect, it } from 'vitest';
import { renderSummaryPrompt } from '../../lib/prompts/render.js';
import type { Item } from '../../lib/sources/types.js';

const item: Item = {
  id: 'conv-7',
  inputs: { messages: [{ role: 'user', content: 'Refund <please> & thanks' }], 0: 'first' },
  outputs: { answer: 'ok' },
  metadata: { plan: 'team' },
};

describe('renderSummaryPrompt', () => {
  it('renders nested fields through example and run alike', () => {
    const out = renderSummaryPrompt(
      '{{example.inputs.messages.0.content}}|{{run.outputs.answer}}|{{example.inputs.0}}',
      item,
    );
    expect(out.text).toBe('Refund <please> & thanks|ok|first');
  });

  it('renders objects and arrays as readable JSON, not [object Object]', () => {
    const out = renderSummaryPrompt('Conversation: {{run.inputs.messages}}', item);
    expect(out.text).not.toContain('[object Object]');
    expect(JSON.parse(out.text.replace('Conversation: ', ''))).toEqual(
      item.inputs && (item.inputs as { messages: unknown }).messages,
    );
  });

  it('does not HTML-escape, in either tag form', () => {
    const out = renderSummaryPrompt(
      '{{example.inputs.messages.0.content}} {{{example.inputs.messages.0.content}}}',
      item,
    );
    expect(out.text).toBe('Refund <please> & thanks Refund <please> & thanks');
  });

  it('reports fields the item lacks instead of rendering them silently empty', () => {
    const out = renderSummaryPrompt('{{example.inputs.question}} {{example.metadata.plan}}', item);
    expect(out.missing).toEqual(['example.inputs.question']);
    expect(out.values).toEqual(['team']);
  });

  it('walks sections over arrays', () => {
    const out = renderSummaryPrompt(
      '{{#run.inputs.messages}}[{{role}}: {{content}}]{{/run.inputs.messages}}',
      item,
    );
    expect(out.text).toBe('[user: Refund <please> & thanks]');
  });
});
