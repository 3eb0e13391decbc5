import type { ComponentChildren } from 'preact';

const integer = new Intl.NumberFormat('en');
export const count = (n: number) => integer.format(n);
export const percent = (part: number, whole: number) =>
  whole > 0 ? `${((100 * part) / whole).toFixed(part / whole < 0.1 ? 1 : 0)}%` : '–';
export const plural = (n: number, one: string, many = `${one}s`) =>
  `${count(n)} ${n === 1 ? one : many}`;

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
