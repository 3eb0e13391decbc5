/**
 * Text from data (ids, names, summaries, quoted lines, error messages) reaches terminals and
 * logs. Raw control characters there are not just noise: ESC starts sequences that recolour,
 * move the cursor, set the window title or write to the clipboard, CR overwrites a line, and a
 * newline inside an id forges a line of our own output. So every print boundary passes its text
 * through here, and control characters come out visibly as `\uXXXX`.
 *
 * `\uXXXX` is also what JSON uses, so escaping a JSON document this way leaves it valid JSON with
 * the same value (JSON.stringify already escapes C0, but not DEL, C1 or U+2028/U+2029).
 */

/**
 * C0 controls (U+0000–U+001F), DEL, C1 controls (U+0080–U+009F, where U+009B is a one-byte CSI
 * on some terminals), the line and paragraph separators, and the bidirectional overrides and
 * isolates that reorder what a reader sees ("Trojan Source").
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

const escaped = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/**
 * One field on one line (a name, an id, a reason): every control character escaped, newlines
 * and tabs included, so a value can never start a line of its own.
 */
export function oneLine(text: string): string {
  return text.replace(CONTROL, escaped);
}

/**
 * A whole block of our own output (an overview, a report, a JSON document): its newlines are
 * ours and stay, and so do tabs; every other control character is escaped. Use `oneLine` on the
 * fields that go into it, so a value cannot add lines of its own.
 */
export function terminalText(text: string): string {
  return text.replace(CONTROL, (c) => (c === '\n' || c === '\t' ? c : escaped(c)));
}
