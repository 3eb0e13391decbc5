import path from 'node:path';
import type { z } from 'zod';
import { ConfigError } from './errors.js';
import { FACET_KEYS } from './facets.js';
import { got, type KeyPath, quotePath, valueAt } from './format.js';
import { crossFieldProblems, formatFromExtension } from './rules.js';
import { type ClioConfig, configSchema, FULL_MESSAGE, KNOWN_KEYS } from './schema.js';
import { closestMatch } from './suggest.js';

export interface ParseOptions {
  /** Where the config came from, for messages. */
  readonly file: string;
  /** Folder that relative paths inside the config (`source.file`) are resolved against. */
  readonly dir: string;
}

interface Problem {
  readonly key: string | undefined;
  readonly message: string;
}

function knownKeysAt(objectPath: KeyPath): readonly string[] {
  if (objectPath.length === 2 && objectPath[0] === 'facets') return FACET_KEYS;
  const at = objectPath.join('.');
  return at in KNOWN_KEYS ? KNOWN_KEYS[at as keyof typeof KNOWN_KEYS] : [];
}

// A top-level key that only exists one level down (`model` → `llm.model`) is a common slip.
function nestedHome(key: string): string | undefined {
  for (const [parent, keys] of Object.entries(KNOWN_KEYS)) {
    if (parent !== '' && (keys as readonly string[]).includes(key)) return `${parent}.${key}`;
  }
  return undefined;
}

function unknownKeyMessage(raw: unknown, objectPath: KeyPath, key: string): string {
  const keyPath = [...objectPath, key];
  const known = knownKeysAt(objectPath);
  const close = closestMatch(key, known);
  let hint: string;
  if (close !== undefined) hint = `did you mean ${quotePath([...objectPath, close])}?`;
  else {
    const home = objectPath.length === 0 ? nestedHome(key) : undefined;
    hint =
      home !== undefined
        ? `did you mean \`${home}\`?`
        : `expected one of ${known.map((k) => `\`${k}\``).join(', ')}`;
  }
  return `${quotePath(keyPath)}: unknown key (${got(valueAt(raw, keyPath), keyPath)}); ${hint}`;
}

function issueProblems(raw: unknown, issue: z.core.$ZodIssue): Problem[] {
  const issuePath = issue.path as KeyPath;
  const top = typeof issuePath[0] === 'string' ? issuePath[0] : undefined;
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({
      key: top ?? key,
      message: unknownKeyMessage(raw, issuePath, key),
    }));
  }
  const where = quotePath(issuePath);
  const params = issue.code === 'custom' ? issue.params : undefined;
  if (params?.full === FULL_MESSAGE.full) {
    return [{ key: top, message: `${where}: ${issue.message}` }];
  }
  const value = valueAt(raw, issuePath);
  let message = `${where}: ${got(value, issuePath)}, expected ${issue.message}`;
  if (issue.code === 'invalid_value' && typeof value === 'string') {
    const close = closestMatch(value, issue.values.map(String));
    if (close !== undefined) message += ` (did you mean ${JSON.stringify(close)}?)`;
  }
  return [{ key: top, message }];
}

// Problems follow the order of the keys in the file, which is the order the user reads it in.
function sortByKeyOrder(raw: unknown, problems: Problem[]): string[] {
  const order =
    raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? Object.keys(raw) : [];
  const rank = (p: Problem): number => {
    if (p.key === undefined) return -1;
    const i = order.indexOf(p.key);
    return i === -1 ? order.length : i;
  };
  const messages = problems
    .map((p, i) => ({ p, i, r: rank(p) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map(({ p }) => p.message);
  return [...new Set(messages)];
}

/**
 * Validates an already-parsed JSON value. Throws a ConfigError listing every problem; on success
 * returns the config with defaults applied, `source.file` absolute and `source.format` known.
 */
export function parseConfig(raw: unknown, opts: ParseOptions): ClioConfig {
  const result = configSchema.safeParse(raw);
  const problems: Problem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) => issueProblems(raw, issue));
  if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    problems.push(...crossFieldProblems(raw as Record<string, unknown>));
  }
  if (!result.success || problems.length > 0) {
    throw new ConfigError(opts.file, sortByKeyOrder(raw, problems), {
      cause: result.success ? undefined : result.error,
    });
  }

  const { source, ...rest } = result.data;
  if (source === undefined) return rest;
  const format = source.format ?? formatFromExtension(source.file);
  if (format === undefined) {
    // crossFieldProblems already rejects this; kept so the type of `format` needs no assertion.
    throw new ConfigError(opts.file, ['`source.format`: missing, expected "jsonl" or "csv"']);
  }
  return { ...rest, source: { ...source, file: path.resolve(opts.dir, source.file), format } };
}
