import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { parse as parseDotenv } from 'dotenv';
import { Client } from 'langsmith';
import { errorStatus } from '../../util/retry.js';
import { SourceError } from '../file/index.js';

/** A LangSmith source could not be read; the message never contains the API key. */
export class LangSmithSourceError extends SourceError {
  override name = 'LangSmithSourceError';
}

export type LangSmithClient = Client;

type Env = Readonly<Record<string, string | undefined>>;

const KEY_VARS = ['LANGSMITH_API_KEY', 'LANGCHAIN_API_KEY'] as const;
const ENDPOINT_VARS = ['LANGSMITH_ENDPOINT', 'LANGCHAIN_ENDPOINT'] as const;
const WORKSPACE_VARS = ['LANGSMITH_WORKSPACE_ID', 'LANGCHAIN_WORKSPACE_ID'] as const;
/** The SDK's own default (`DEFAULT_API_URL`), spelled out so the SDK never reads process.env. */
export const DEFAULT_LANGSMITH_ENDPOINT = 'https://api.smith.langchain.com';

/** `.env` in `cwd` under `env`: what is already set wins, as with dotenv's default. */
function withDotenv(env: Env, cwd: string): Env {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.env'), 'utf8');
  } catch {
    return env;
  }
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined));
  return { ...parseDotenv(text), ...defined };
}

const firstSet = (env: Env, names: readonly string[]): string | undefined =>
  names.map((n) => env[n]?.trim()).find((v) => v !== undefined && v !== '');

export interface LangSmithSettings {
  readonly apiKey: string;
  readonly apiUrl: string;
  readonly workspaceId: string | undefined;
}

export function readLangSmithSettings(env: Env, cwd: string): LangSmithSettings {
  const merged = withDotenv(env, cwd);
  const apiKey = firstSet(merged, KEY_VARS);
  if (apiKey === undefined) {
    throw new LangSmithSourceError(
      'no LangSmith API key: set LANGSMITH_API_KEY (or LANGCHAIN_API_KEY) in the environment or ' +
        `in a .env file in ${cwd}`,
    );
  }
  return {
    apiKey,
    apiUrl: firstSet(merged, ENDPOINT_VARS) ?? DEFAULT_LANGSMITH_ENDPOINT,
    workspaceId: firstSet(merged, WORKSPACE_VARS),
  };
}

/**
 * A LangSmith client from `LANGSMITH_API_KEY` / `LANGSMITH_ENDPOINT` (or their `LANGCHAIN_`
 * names), reading a `.env` file in `cwd` for whatever `env` does not set.
 */
export function createLangSmithClient(env: Env = process.env, cwd = process.cwd()): Client {
  const { apiKey, apiUrl, workspaceId } = readLangSmithSettings(env, cwd);
  return new Client({ apiKey, apiUrl, ...(workspaceId ? { workspaceId } : {}) });
}

const redact = (text: string, secret: string | undefined): string =>
  secret ? text.split(secret).join('[redacted]') : text;

/**
 * True for the SDK's by-name miss (an empty listing, which it reports without a status). An HTTP
 * 404 is not that: the listing endpoints never answer 404 for an unknown name, so it means the
 * endpoint is wrong.
 */
export function isNotFound(error: unknown): boolean {
  const message = (error as Error | null)?.message ?? '';
  return errorStatus(error) === undefined && /\bnot found\b/i.test(message);
}

/**
 * Turns an SDK failure while `doing` something into a LangSmithSourceError: a rejected key says
 * so without showing it, and anything the server echoed back is scrubbed of the key, the cause
 * included.
 */
export function langSmithError(
  client: Client,
  doing: string,
  error: unknown,
): LangSmithSourceError {
  if (error instanceof LangSmithSourceError) return error;
  // `apiKey` is private in the SDK's types but a plain field at run time; reading it covers
  // clients made elsewhere too.
  const key = (client as unknown as { apiKey?: unknown }).apiKey;
  const secret = typeof key === 'string' && key !== '' ? key : undefined;
  const status = errorStatus(error);
  if (status === 401 || status === 403) {
    const hint =
      status === 403
        ? '; the key has no access here, or it is org-scoped and needs LANGSMITH_WORKSPACE_ID'
        : '; check LANGSMITH_API_KEY (or LANGCHAIN_API_KEY)';
    return new LangSmithSourceError(
      `LangSmith rejected the API key (HTTP ${status}) while ${doing}${hint}`,
    );
  }
  const message = redact(error instanceof Error ? error.message : String(error), secret);
  const safe = !secret || !inspect(error, { depth: 6 }).includes(secret);
  const endpoint = status === 404 ? ' (check LANGSMITH_ENDPOINT)' : '';
  return new LangSmithSourceError(
    `LangSmith request failed while ${doing}: ${message}${endpoint}`,
    {
      cause: safe ? error : new Error(message),
    },
  );
}
