import type { ComponentChildren } from 'preact';

const integer = new Intl.NumberFormat('en');
export const count = (n: number) => integer.format(n);
export const percent = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 1 : 0)}%` : '–';
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${count(n)} ${n === 1 ? one : many}`;

/** A record's key as words: `inputTokens` → "input tokens". */
export const words = (key: string) => key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();

/** Milliseconds under a second (so 14 ms is not "0.0 s"), then seconds, then minutes. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
}

export function searchTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter(Boolean);
}

export const matchesAll = (text: string, terms: readonly string[]) => {
  const lower = text.toLowerCase();
  return terms.every((t) => lower.includes(t));
};

/**
 * The text with the search terms marked. Everything stays a text node: data is never parsed as
 * HTML anywhere in the explorer.
 */
export function Highlight({ text, terms }: { text: string; terms: readonly string[] }) {
  const lower = text.toLowerCase();
  // Some characters change length when lower-cased; then positions would not line up.
  if (terms.length === 0 || lower.length !== text.length) return <>{text}</>;
  const parts: ComponentChildren[] = [];
  let at = 0;
  while (at < text.length) {
    let next = -1;
    let length = 0;
    for (const term of terms) {
      const found = lower.indexOf(term, at);
      if (found >= 0 && (next < 0 || found < next)) [next, length] = [found, term.length];
    }
    if (next < 0) break;
    if (next > at) parts.push(text.slice(at, next));
    parts.push(<mark>{text.slice(next, next + length)}</mark>);
    at = next + length;
  }
  parts.push(text.slice(at));
  return <>{parts}</>;
}
