import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../util/hash.js';
import { ConfigError, ConfigFileError } from './errors.js';
import { locateJsonError } from './json.js';
import { parseConfig } from './parse.js';
import type { ClioConfig } from './schema.js';

export interface LoadedConfig {
  readonly config: ClioConfig;
  /** Absolute path of the config file. */
  readonly path: string;
  /** Folder of the config file. */
  readonly dir: string;
  /** First 16 hex digits of the sha256 of the config's canonical JSON (defaults applied). */
  readonly digest: string;
}

export interface LoadOptions {
  /** Folder a relative `configPath` is resolved against; defaults to `process.cwd()`. */
  readonly cwd?: string;
}

export function configDigest(config: ClioConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

async function readConfigText(file: string, given: string, cwd: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const from = path.isAbsolute(given) ? '' : ` (${JSON.stringify(given)} relative to ${cwd})`;
    const reason =
      code === 'ENOENT'
        ? 'Config file not found'
        : code === 'EISDIR'
          ? 'Config path is a directory, expected a JSON file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'Config file is not readable (permission denied)'
            : `Cannot read config file (${code ?? String(err)})`;
    throw new ConfigFileError(file, `${reason}: ${file}${from}`, {
      cause: err,
      ...(code === undefined ? {} : { code }),
    });
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const where = locateJsonError(text);
    const problem = where
      ? `JSON syntax error at line ${where.line}, column ${where.column} (${file}:${where.line}:${where.column}): ${where.reason}`
      : 'JSON syntax error';
    throw new ConfigError(file, [problem], { cause: err });
  }
}

/** Reads, parses and validates a config file. Throws ConfigFileError or ConfigError. */
export async function loadConfig(
  configPath: string,
  opts: LoadOptions = {},
): Promise<LoadedConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const file = path.resolve(cwd, configPath);
  const dir = path.dirname(file);
  // Editors on Windows may save a BOM, which JSON.parse rejects.
  const text = (await readConfigText(file, configPath, cwd)).replace(/^\uFEFF/, '');
  if (text.trim() === '')
    throw new ConfigError(file, ['the file is empty, expected a JSON object']);
  const config = parseConfig(parseJson(text, file), { file, dir });
  return { config, path: file, dir, digest: configDigest(config) };
}
