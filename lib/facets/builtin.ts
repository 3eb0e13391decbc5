import type { Item } from '../sources/types.js';

/** One item's facet values by facet name: a category's value or a scale's number. */
export type FacetValues = Readonly<Record<string, string | number>>;

/** `language` when the detector is not confident: too short, mixed or not prose. */
export const UNKNOWN_LANGUAGE = 'und';

// Keys whose values are message plumbing, not what anyone wrote: "user", "ai", "msg_01…".
const PLUMBING_KEYS = new Set(['role', 'type', 'id', 'name', 'tool_call_id']);
// Enough text for a confident guess; detection time grows with the text.
const DETECT_CHARS = 1_000;

function stringLeaves(value: unknown, out: string[]): void {
  if (typeof value === 'string') {
    if (value.trim() !== '') out.push(value);
  } else if (Array.isArray(value)) {
    for (const v of value) stringLeaves(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) if (!PLUMBING_KEYS.has(key)) stringLeaves(v, out);
  }
}

/** What the item's people and model wrote, without keys and message roles. */
export function writtenText(item: Item): string {
  const out: string[] = [];
  stringLeaves(item.inputs, out);
  stringLeaves(item.outputs, out);
  return out.join('\n');
}

const isMessage = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && 'content' in v && ('role' in v || 'type' in v);

function countMessages(value: unknown): number {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.every(isMessage)) return value.length;
    return value.reduce((sum: number, v) => sum + countMessages(v), 0);
  }
  if (value !== null && typeof value === 'object') {
    if (isMessage(value)) return 1;
    return Object.values(value).reduce((sum: number, v) => sum + countMessages(v), 0);
  }
  return 0;
}

/**
 * Messages in the item (chat messages with a role or type and content, as LangSmith and OpenAI
 * write them); an item without any counts its inputs and its outputs as one turn each.
 */
export function countTurns(item: Item): number {
  const messages = countMessages(item.inputs) + countMessages(item.outputs);
  if (messages > 0) return messages;
  const present = (v: unknown) => (v === undefined || v === null ? 0 : 1);
  return present(item.inputs) + present(item.outputs);
}

type Detect = (text: string) => { language: string; isReliable(): boolean };

/**
 * The built-in facets of an item: `language` (ISO 639-1, `und` when unsure), `turns` and
 * `length` (characters written). The detector's data (1.6 MB) loads on first use only, so runs
 * and commands that never summarize do not pay for it.
 */
export async function builtinFacets(): Promise<(item: Item) => FacetValues> {
  // eld's "small" data: as accurate as "medium" on short support texts and 3× faster (README).
  const { eld } = await import('eld/small');
  const detect: Detect = (text) => eld.detect(text);
  return (item) => {
    const text = writtenText(item);
    const guess = detect(text.slice(0, DETECT_CHARS));
    return {
      language: guess.language !== '' && guess.isReliable() ? guess.language : UNKNOWN_LANGUAGE,
      turns: countTurns(item),
      length: text.length,
    };
  };
}

/**
 * Every facet of a summarized item: the built-ins computed from the item and the question
 * answers its summary call gave (a question cannot shadow a built-in: the names are refused).
 */
export async function itemFacets(): Promise<
  (item: Item, answers: FacetValues | undefined) => FacetValues
> {
  const builtins = await builtinFacets();
  return (item, answers) => ({ ...builtins(item), ...answers });
}
