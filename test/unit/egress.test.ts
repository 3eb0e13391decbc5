import { describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/contract.js';
import { buildDeps, defaultClients } from '../../lambdas/deps.js';
import {
  allowedBaseUrls,
  baseUrlsOf,
  checkBaseUrls,
  isAllowedBaseUrl,
} from '../../lambdas/egress.js';
import { ConfigError } from '../../lib/config/errors.js';
import { parseConfig } from '../../lib/config/index.js';
import { prepareConfiguredRun } from '../../lib/pipeline/staged/prepare.js';

const at = { file: '/configs/x.json', dir: '/configs' };
const config = (embedder: Record<string, unknown>) =>
  parseConfig(
    {
      source: { file: 'x.jsonl' },
      hierarchy: [3],
      summary_prompt: '{{example}}',
      llm: { provider: 'offline' },
      embedder,
    },
    at,
  );
const gateway = config({ provider: 'openai', base_url: 'https://llm-gw.corp.example/v1' });
const urls = (...list: string[]) => list.map((u) => new URL(u));

describe('the egress guard: a config may only send data to allow-listed endpoints', () => {
  it('matches scheme, host and port exactly, and the path segment by segment', () => {
    const allowed = urls('https://llm-gw.corp.example/', 'http://10.0.0.5:8080/api');
    expect(isAllowedBaseUrl('https://llm-gw.corp.example/v1', allowed)).toBe(true);
    expect(isAllowedBaseUrl('https://LLM-GW.corp.example', allowed)).toBe(true);
    expect(isAllowedBaseUrl('http://10.0.0.5:8080/api', allowed)).toBe(true);
    expect(isAllowedBaseUrl('http://10.0.0.5:8080/api/v1/', allowed)).toBe(true);
    // A look-alike host, another scheme or port, a sibling path: all refused.
    expect(isAllowedBaseUrl('https://llm-gw.corp.example.evil.test/v1', allowed)).toBe(false);
    expect(isAllowedBaseUrl('https://llm-gw.corp.example@evil.test/', allowed)).toBe(false);
    expect(isAllowedBaseUrl('http://llm-gw.corp.example/v1', allowed)).toBe(false);
    expect(isAllowedBaseUrl('https://llm-gw.corp.example:8443/v1', allowed)).toBe(false);
    expect(isAllowedBaseUrl('http://10.0.0.5:8080/apix', allowed)).toBe(false);
    expect(isAllowedBaseUrl('http://10.0.0.5:8080/api/../admin', allowed)).toBe(false);
    expect(isAllowedBaseUrl('not a url', allowed)).toBe(false);
    expect(isAllowedBaseUrl('https://llm-gw.corp.example/', [])).toBe(false);
  });

  it('lists every base_url of the config by its key', () => {
    expect(baseUrlsOf(gateway)).toEqual([
      { key: 'embedder.base_url', url: 'https://llm-gw.corp.example/v1' },
    ]);
    expect(baseUrlsOf(config({ provider: 'offline' }))).toEqual([]);
  });

  it('refuses with a ConfigError naming the key, the URL and the deploy-config key', () => {
    const refusal = () => checkBaseUrls(gateway, urls('https://other.example/'));
    expect(refusal).toThrow(ConfigError);
    expect(refusal).toThrow(
      /embedder\.base_url "https:\/\/llm-gw\.corp\.example\/v1" is not an endpoint this deployment may send data to: .*add it \(or its origin\) to "allowedBaseUrls" in the deploy config.*\(allowed now: "https:\/\/other\.example\/"\)/,
    );
    expect(() => checkBaseUrls(gateway, [])).toThrow(/allowed now: none/);
    expect(() => checkBaseUrls(gateway, urls('https://llm-gw.corp.example'))).not.toThrow();
    expect(() => checkBaseUrls(config({ provider: 'offline' }), [])).not.toThrow();
  });

  it('reads the allow-list the stack sets; none set allows no base_url', () => {
    expect(allowedBaseUrls({})).toEqual([]);
    expect(
      allowedBaseUrls({ [ENV.allowedBaseUrls]: '["https://llm-gw.corp.example/"]' }).map(
        (u) => u.href,
      ),
    ).toEqual(['https://llm-gw.corp.example/']);
    expect(() => allowedBaseUrls({ [ENV.allowedBaseUrls]: '["ftp://x"]' })).toThrow(
      /CLIO_ALLOWED_BASE_URLS.*"ftp:\/\/x" is not an http\(s\) URL/s,
    );
  });

  it('fails Prepare before anything is read or written, and lets allowed endpoints through', async () => {
    const env = (allowed?: string[]) => ({
      [ENV.artifactsBucket]: 'artifacts',
      ...(allowed ? { [ENV.allowedBaseUrls]: JSON.stringify(allowed) } : {}),
    });
    const denied = await buildDeps(env(), defaultClients());
    await expect(prepareConfiguredRun(gateway, denied)).rejects.toThrow(
      /Invalid config for this deployment:\n {2}- embedder\.base_url "https:\/\/llm-gw\.corp\.example\/v1"/,
    );
    expect(() => denied.createLlm(gateway, undefined as never)).toThrow(ConfigError);

    const allowed = await buildDeps(env(['https://llm-gw.corp.example/']), defaultClients());
    const embedder = allowed.createEmbedder(gateway);
    expect(embedder.id).toContain('openai');
    await embedder.close();
  });
});
