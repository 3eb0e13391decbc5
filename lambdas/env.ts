import { z } from 'zod';

type Env = Readonly<Record<string, string | undefined>>;

/** A function deployed without a setting it needs: a stack bug, so the message names both. */
export class EnvError extends Error {
  override name = 'EnvError';
}

export function optionalEnv(name: string, env: Env = process.env): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function requiredEnv(name: string, env: Env = process.env): string {
  const value = optionalEnv(name, env);
  if (value === undefined)
    throw new EnvError(
      `environment variable ${name} is not set; the stack sets it on this function`,
    );
  return value;
}

export function positiveIntEnv(name: string, fallback: number, env: Env = process.env): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1)
    throw new EnvError(`environment variable ${name} is "${raw}", expected a positive integer`);
  return value;
}

export function jsonEnv<T>(
  name: string,
  schema: z.ZodType<T>,
  env: Env = process.env,
): T | undefined {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new EnvError(`environment variable ${name} is not JSON`, { cause: error });
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    throw new EnvError(`environment variable ${name}: ${z.prettifyError(result.error)}`);
  return result.data;
}
