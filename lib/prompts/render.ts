import Mustache from 'mustache';
import type { Item } from '../sources/types.js';

/** What the summary template produced for one item. */
export interface RenderedPrompt {
  /** The prompt text the LLM reads. */
  readonly text: string;
  /** The item values the template inserted, unformatted, in order (the offline provider reads these). */
  readonly values: readonly unknown[];
  /** Dotted names the template asked for that the item does not have. */
  readonly missing: readonly string[];
  /**
   * The start of `text` that is the same for every item (the template before its first tag):
   * a prefix the provider can cache.
   */
  readonly head?: string;
}

/**
 * Objects and arrays become indented JSON, so `{{example.inputs}}` shows the data rather than
 * `[object Object]`; strings go in as they are, since prompts are not HTML.
 */
export function formatValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value, null, 2);
  return String(value);
}

class RecordingWriter extends Mustache.Writer {
  readonly values: unknown[] = [];
  readonly missing: string[] = [];

  override escapedValue(token: string[], context: Mustache.Context): string {
    return this.insert(token[1] ?? '', context);
  }

  override unescapedValue(token: string[], context: Mustache.Context): string {
    return this.insert(token[1] ?? '', context);
  }

  private insert(name: string, context: Mustache.Context): string {
    const value = context.lookup(name);
    if (value === undefined || value === null) {
      this.missing.push(name);
      return '';
    }
    this.values.push(value);
    return formatValue(value);
  }
}

/**
 * The view a summary template sees. `example` and `run` both name the item, so templates written
 * for datasets (`{{example.inputs}}`) and for tracing projects (`{{run.inputs.messages}}`) work on
 * any source.
 */
export function templateView(item: Item): Record<string, unknown> {
  const record = {
    id: item.id,
    inputs: item.inputs,
    outputs: item.outputs,
    metadata: item.metadata,
  };
  return { example: record, run: record };
}

export function renderTemplate(template: string, view: Record<string, unknown>): RenderedPrompt {
  const writer = new RecordingWriter();
  const text = writer.render(template, view, {});
  const tag = template.indexOf('{{');
  const head = tag > 0 && text.startsWith(template.slice(0, tag)) ? template.slice(0, tag) : '';
  return { text, values: writer.values, missing: [...new Set(writer.missing)], head };
}

export function renderSummaryPrompt(template: string, item: Item): RenderedPrompt {
  return renderTemplate(template, templateView(item));
}
