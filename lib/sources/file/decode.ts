import { ClioError } from '../../util/errors.js';

/** A source file that cannot be read as text at all (binary, UTF-16): nothing in it is usable. */
export class SourceError extends ClioError {
  override name = 'SourceError';
}

/** A source file's text, and what was wrong with its bytes that did not stop the reading. */
export interface DecodedSource {
  readonly text: string;
  /** 1-based line numbers that held bytes which are not UTF-8 (read with U+FFFD in their place). */
  readonly invalidUtf8Lines: readonly number[];
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];
/** Text files never hold NUL; binaries (zip, xlsx, parquet, images) nearly always do early on. */
const BINARY_SNIFF_BYTES = 8192;

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** What the file most likely is instead of UTF-8 text, for the error message. */
function notTextReason(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]))
    return 'it is UTF-16 text (it starts with a UTF-16 byte-order mark): save it as UTF-8';
  const nul = bytes.subarray(0, BINARY_SNIFF_BYTES).indexOf(0);
  if (nul >= 0)
    return `it looks like a binary file, not text (it holds a NUL byte at byte ${nul + 1}): export the data as JSONL or CSV`;
  return undefined;
}

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * The lines that are not valid UTF-8, found by decoding each line on its own with a fatal
 * decoder: only done when the whole file failed to decode, so a clean file is decoded once.
 * Lines split at LF bytes, which never occur inside a multi-byte UTF-8 sequence.
 */
function invalidLines(bytes: Uint8Array): number[] {
  const lines: number[] = [];
  let start = 0;
  let line = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    try {
      strict.decode(bytes.subarray(start, end));
    } catch {
      lines.push(line);
    }
    start = end + 1;
    line++;
  }
  return lines;
}

/**
 * A source file's bytes as text: a UTF-8 byte-order mark is dropped (spreadsheet exports and
 * Windows editors add one, and it would make row 1 unreadable); invalid UTF-8 is read with
 * U+FFFD in its place and its lines are reported instead of hidden; a binary or UTF-16 file is
 * refused here, before it turns into garbage rows. A string (a store that decoded already)
 * only has its BOM dropped: its bytes are gone.
 */
export function decodeSource(content: string | Uint8Array, path: string): DecodedSource {
  if (typeof content === 'string') {
    return { text: content.replace(/^\uFEFF/, ''), invalidUtf8Lines: [] };
  }
  const reason = notTextReason(content);
  if (reason) throw new SourceError(`cannot read source file ${path}: ${reason}`);
  const body = startsWith(content, UTF8_BOM) ? content.subarray(UTF8_BOM.length) : content;
  try {
    return { text: strict.decode(body), invalidUtf8Lines: [] };
  } catch {
    return { text: lenient.decode(body), invalidUtf8Lines: invalidLines(body) };
  }
}

/** At most `max` line numbers, then how many more: "2, 5, 9 and 14 more". */
export function listLines(lines: readonly number[], max = 10): string {
  const shown = lines.slice(0, max).join(', ');
  return lines.length > max ? `${shown} and ${lines.length - max} more` : shown;
}
