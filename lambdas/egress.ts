import { z } from 'zod';
import { ConfigError } from '../lib/config/errors.js';
import type { ClioConfig } from '../lib/config/schema.js';
import { ENV } from './contract.js';
import { jsonEnv } from './env.js';

/**
 * The egress guard: anyone who may upload a config could otherwise point `embedder.base_url`
 * (or any section's `base_url`) at a server of their own and receive every item of the run.
 * On AWS a `base_url` must be one the deploy config allow-lists; the check runs wherever the
 * LLM or embedder is created, so Prepare refuses the run before any item is read.
 */

/** The sections of a run config that may name an endpoint with `base_url`. */
const SECTIONS = ['llm', 'embedder'] as const;

/** Where the deployment's operator changes the list, named in every refusal. */
const DEPLOY_KEY = 'allowedBaseUrls';

const httpUrl = z.string().transform((s, ctx) => {
  try {
    const url = new URL(s);
    if (url.protocol === 'https:' || url.protocol === 'http:') return url;
  } catch {}
  ctx.addIssue({ code: 'custom', message: `"${s}" is not an http(s) URL` });
  return z.NEVER;
});

/** The allow-list the stack set on the function; none set means no `base_url` is allowed. */
export function allowedBaseUrls(env: Readonly<Record<string, string | undefined>>): URL[] {
  return jsonEnv(ENV.allowedBaseUrls, z.array(httpUrl), env) ?? [];
}

/**
 * Whether `url` is at an allowed endpoint: the same scheme, host and port, and a path at or
 * under the allowed path, segment by segment (`https://gw/api` allows `/api/v1`, not
 * `/apix`). Hosts are compared whole, so `https://gw.example` never allows
 * `https://gw.example.evil.com`.
 */
export function isAllowedBaseUrl(url: string, allowed: readonly URL[]): boolean {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    if (entry.protocol !== target.protocol || entry.host !== target.host) return false;
    const prefix = entry.pathname.replace(/\/+$/, '');
    return prefix === '' || target.pathname === prefix || target.pathname.startsWith(`${prefix}/`);
  });
}

/** Every `base_url` the config sets, by its key. */
export function baseUrlsOf(config: ClioConfig): { key: string; url: string }[] {
  return SECTIONS.flatMap((section) => {
    const url = (config[section] as { base_url?: unknown }).base_url;
    return typeof url === 'string' ? [{ key: `${section}.base_url`, url }] : [];
  });
}

/** Throws a ConfigError naming each `base_url` outside the allow-list, and how to allow it. */
export function checkBaseUrls(config: ClioConfig, allowed: readonly URL[]): void {
  const listed = allowed.length > 0 ? allowed.map((u) => `"${u.href}"`).join(', ') : 'none';
  const problems = baseUrlsOf(config)
    .filter(({ url }) => !isAllowedBaseUrl(url, allowed))
    .map(
      ({ key, url }) =>
        `${key} "${url}" is not an endpoint this deployment may send data to: the deployment's operator can add it (or its origin) to "${DEPLOY_KEY}" in the deploy config and deploy again (allowed now: ${listed})`,
    );
  if (problems.length > 0) throw new ConfigError('for this deployment', problems);
}
