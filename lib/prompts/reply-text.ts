import { z } from 'zod';

/**
 * Free text in a model's reply as the pipeline stores it. Constrained decoding drops length
 * limits from the schema, so a reply may legally hold any string: rather than paying for a retry,
 * whitespace is collapsed and an over-long text is cut at a word with an ellipsis. Only an empty
 * text is rejected, since nothing usable can be made of it.
 */

/** At most `max` characters (code points, so no emoji is split), cut at a word boundary. */
export function clipText(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const head = chars.slice(0, max - 1).join('');
  const space = head.lastIndexOf(' ');
  return `${(space > max / 2 ? head.slice(0, space) : head).trimEnd()}…`;
}

export const collapseSpace = (text: string): string => text.replace(/\s+/g, ' ').trim();

/** A reply's free-text field: collapsed, clipped to `max`, non-empty. */
export const replyText = (max: number, whenEmpty = 'must not be empty') =>
  z
    .string()
    .transform((s) => clipText(collapseSpace(s), max))
    .pipe(z.string().min(1, whenEmpty));

/** The longest cluster or category name kept: longer ones are clipped. */
export const MAX_NAME_CHARS = 120;

/** A cluster or category name in a reply. */
export const replyName = () => replyText(MAX_NAME_CHARS, 'the name is empty');

/**
 * One of `count` numbered options (1..count, or 0..count with `none`), as an enum so that the
 * constrained decoder can only produce a number that was offered.
 */
export function optionNumber(count: number, options: { none?: boolean } = {}) {
  const first = options.none ? 0 : 1;
  const values = Array.from({ length: Math.max(1, count - first + 1) }, (_, i) => i + first);
  return z.literal(values as [number, ...number[]]);
}

/**
 * Names as a set: cleaned and clipped like `replyName`, empty ones dropped, and one of each name
 * that differs only in case or spacing (the first spelling wins), in their first order.
 */
export function distinctNames(names: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const raw of names) {
    const name = clipText(collapseSpace(raw), MAX_NAME_CHARS);
    const key = name.toLowerCase();
    if (name && !seen.has(key)) seen.set(key, name);
  }
  return [...seen.values()];
}

/**
 * One of `names`, exactly as configured. Constrained decoding may return an enum value in another
 * capitalization (documented), so case and surrounding space are folded before the check; the
 * schema the model sees is still the closed set.
 */
export function oneOfNames(names: readonly string[]) {
  const byKey = new Map(names.map((name) => [name.trim().toLowerCase(), name]));
  return z
    .string()
    .transform((value) => byKey.get(value.trim().toLowerCase()) ?? value)
    .pipe(z.enum(names as [string, ...string[]]))
    .meta({ enum: [...names] });
}
