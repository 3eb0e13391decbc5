/** Key paths and received values as they appear in problem messages. */

export type KeyPath = readonly PropertyKey[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `hierarchy[2]`, `llm.model`, `partitions["Technical Issues"]`; the root is `config`. */
export function formatPath(path: KeyPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out === '' ? 'config' : out;
}

export function quotePath(path: KeyPath): string {
  return `\`${formatPath(path)}\``;
}

const SECRET_KEY = /key|token|secret|passw(or)?d|credential/i;
// Values that are credentials whatever key holds them: Anthropic/OpenAI, AWS access keys, Slack.
const SECRET_VALUE = /^(sk-[A-Za-z0-9_-]{8,}|AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|xox[abprs]-)/;

// Config keys that match SECRET_KEY by name only; hiding their values would hide the mistake.
const NOT_SECRET = new Set(['max_tokens']);

export function isSecretKey(key: PropertyKey): boolean {
  return typeof key === 'string' && SECRET_KEY.test(key) && !NOT_SECRET.has(key);
}

function isSecretPath(path: KeyPath): boolean {
  return path.some(isSecretKey);
}

function isSecretValue(value: unknown): boolean {
  return typeof value === 'string' && SECRET_VALUE.test(value.trim());
}

const MAX_SHOWN = 60;

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const t = typeof value;
  return t === 'object' ? 'an object' : `a ${t}`;
}

function truncate(text: string): string {
  return text.length <= MAX_SHOWN ? text : `${text.slice(0, MAX_SHOWN - 1)}…`;
}

/**
 * The value for a message: JSON, truncated, with anything that looks like a credential (by its
 * key or its shape) replaced by a note, so error output is safe to paste into an issue.
 */
export function describeValue(value: unknown, path: KeyPath = []): string {
  if (value === undefined) return 'nothing';
  if (isSecretPath(path) || isSecretValue(value)) {
    return `${kindOf(value)} (value hidden: it looks like a secret)`;
  }
  const json = JSON.stringify(value, (key, v: unknown) =>
    (key !== '' && isSecretKey(key)) || isSecretValue(v) ? '<hidden>' : v,
  );
  return truncate(json ?? String(value));
}

/** `got 8`, or `missing` when the key is absent. */
export function got(value: unknown, path: KeyPath): string {
  return value === undefined ? 'missing' : `got ${describeValue(value, path)}`;
}

export function valueAt(root: unknown, path: KeyPath): unknown {
  let current: unknown = root;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.hasOwn(current, segment)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
