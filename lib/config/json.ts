/** Where JSON text stops being valid, for messages V8's JSON.parse does not always give. */
export interface JsonSyntaxProblem {
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

class Stop extends Error {
  constructor(
    readonly at: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/**
 * Re-scans text that JSON.parse rejected to find the first offending character. V8 reports a
 * position for some errors only, and its other messages quote the text itself, which could
 * include a secret from the file.
 */
export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] ?? '')) i++;
  };
  const describe = (at: number): string => {
    const ch = text[at];
    if (ch === undefined) return 'unexpected end of file';
    if (ch === '/' && (text[at + 1] === '/' || text[at + 1] === '*'))
      return 'comments are not allowed in JSON';
    return `unexpected ${JSON.stringify(ch)}`;
  };
  const fail = (expected: string): never => {
    throw new Stop(i, `${describe(i)}, expected ${expected}`);
  };
  const string = () => {
    i++;
    while (i < text.length) {
      const ch = text[i] ?? '';
      if (ch === '"') {
        i++;
        return;
      }
      if (ch === '\\') {
        const next = text[i + 1] ?? '';
        if (next === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u and 4 hex digits');
          i += 6;
        } else if ('"\\/bfnrt'.includes(next) && next !== '') i += 2;
        else throw new Stop(i, 'invalid escape in string');
      } else if (ch < ' ') throw new Stop(i, 'unescaped line break or control character in string');
      else i++;
    }
    throw new Stop(i, 'unterminated string');
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === '}') throw new Stop(i, 'trailing comma before "}"');
        if (text[i] !== '"') fail('a double-quoted property name');
        string();
        ws();
        if (text[i] !== ':') fail('":" after the property name');
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail('"," or "}"');
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] === ']') throw new Stop(i, 'trailing comma before "]"');
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail('"," or "]"');
      }
    } else if (ch === '"') string();
    else {
      const literal = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(
        text.slice(i),
      );
      if (!literal) fail('a value');
      i += literal?.[0].length ?? 0;
      if (/[A-Za-z0-9_]/.test(text[i] ?? '')) fail('"," or a closing bracket');
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail('end of file after the JSON value');
    return undefined;
  } catch (err) {
    if (!(err instanceof Stop)) throw err;
    const before = text.slice(0, err.at).split('\n');
    return {
      line: before.length,
      column: (before.at(-1)?.length ?? 0) + 1,
      reason: err.reason,
    };
  }
}
