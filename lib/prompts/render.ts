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
  /**
   * Characters cut from the inserted values to fit the prompt in the model's input budget
   * (`renderSummaryPrompt`'s `maxChars`); 0 or absent when nothing was cut.
   */
  readonly truncated?: number;
  /** The text's length before anything was cut. */
  readonly fullLength?: number;
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

/** Where an inserted value was cut: says how much, so neither the model nor a reader takes it as whole. */
export const truncationMarker = (cut: number) => `[… truncated ${cut} characters]`;

/** `text` cut to `cap` characters plus a marker, never splitting a surrogate pair. */
function clipValue(text: string, cap: number): { clipped: string; cut: number } {
  let keep = Math.max(0, cap);
  if (/[\uD800-\uDBFF]/.test(text.charAt(keep - 1))) keep--;
  const cut = text.length - keep;
  return { clipped: `${text.slice(0, keep)}${truncationMarker(cut)}`, cut };
}

/**
 * Parsed templates, shared by every writer: a writer per render (it records that render's values)
 * would otherwise parse the same template again for each item, about a third of a millisecond.
 */
const parsedTemplates = new Map<string, unknown>();
const MAX_PARSED_TEMPLATES = 64;

class RecordingWriter extends Mustache.Writer {
  readonly values: unknown[] = [];
  readonly missing: string[] = [];
  /** Formatted length of each inserted value, in order. */
  readonly lengths: number[] = [];
  /** Characters cut from inserted values. */
  cut = 0;

  /** `cap`: the most characters of one inserted value kept (the rest marked as cut). */
  constructor(private readonly cap = Number.POSITIVE_INFINITY) {
    super();
  }

  // biome-ignore lint/suspicious/noExplicitAny: mustache's own signature returns token arrays as any
  override parse(template: string, tags?: Mustache.OpeningAndClosingTags): any {
    const key = `${tags?.join(' ') ?? ''}\u0000${template}`;
    let tokens = parsedTemplates.get(key);
    if (tokens === undefined) {
      if (parsedTemplates.size >= MAX_PARSED_TEMPLATES) parsedTemplates.clear();
      tokens = super.parse(template, tags);
      parsedTemplates.set(key, tokens);
    }
    return tokens;
  }

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
    const text = formatValue(value);
    this.lengths.push(text.length);
    if (text.length <= this.cap + truncationMarker(text.length).length) {
      this.values.push(value);
      return text;
    }
    // The offline provider reads the values: it gets the cut text, as the model would.
    const { clipped, cut } = clipValue(text, this.cap);
    this.cut += cut;
    this.values.push(clipped);
    return clipped;
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

/**
 * The largest per-value cap that fits the inserted values, each cut to the cap plus a marker,
 * into `room` characters: the longest values are cut first and evenly, so a short field beside
 * one enormous one is kept whole.
 */
function valueCap(lengths: readonly number[], room: number): number {
  const fits = (cap: number) =>
    lengths.reduce(
      (sum, len) => sum + (len <= cap ? len : cap + truncationMarker(len).length),
      0,
    ) <= room;
  let low = 0;
  let high = Math.max(0, ...lengths);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (fits(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}

/**
 * Renders `template` for `view`. With `maxChars`, a text longer than that is rendered again
 * with the inserted values cut to fit (marked where cut): the template's own words, which
 * usually carry the instructions after the data, are kept whole.
 */
export function renderTemplate(
  template: string,
  view: Record<string, unknown>,
  maxChars = Number.POSITIVE_INFINITY,
): RenderedPrompt {
  let writer = new RecordingWriter();
  let text = writer.render(template, view, {});
  const fullLength = text.length;
  if (text.length > maxChars) {
    const inserted = writer.lengths.reduce((a, b) => a + b, 0);
    const room = maxChars - (text.length - inserted);
    writer = new RecordingWriter(valueCap(writer.lengths, room));
    text = writer.render(template, view, {});
  }
  const tag = template.indexOf('{{');
  const head = tag > 0 && text.startsWith(template.slice(0, tag)) ? template.slice(0, tag) : '';
  return {
    text,
    values: writer.values,
    missing: [...new Set(writer.missing)],
    head,
    ...(writer.cut > 0 ? { truncated: writer.cut, fullLength } : {}),
  };
}

/** `maxChars`: the model's input budget for the prompt text (see `renderTemplate`). */
export function renderSummaryPrompt(
  template: string,
  item: Item,
  maxChars?: number,
): RenderedPrompt {
  return renderTemplate(template, templateView(item), maxChars);
}

/** Whether an inserted value holds anything to summarize: not blank, not only empty containers. */
export function hasContent(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.some(hasContent);
  if (typeof value === 'object') return Object.values(value).some(hasContent);
  return true;
}
