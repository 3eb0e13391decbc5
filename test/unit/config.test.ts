import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClioConfig,
  ConfigError,
  ConfigFileError,
  closestMatch,
  clusterVectorsOf,
  configWarnings,
  isInTimeWindow,
  loadConfig,
  parseConfig,
  resolveTimeWindow,
  staticConfigWarnings,
} from '../../lib/config/index.js';
import { canonicalJson } from '../../lib/util/hash.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.resolve(here, '../fixtures/reference-configs');
const fixtureFiles = readdirSync(fixtures).filter((f) => f.endsWith('.json'));
// The reference project's own files, when this checkout sits next to them; optional.
const sharedConfigs = path.resolve(here, '../../../shared/reference/configs');

const OPTS = { file: '/cfg/config.json', dir: '/cfg' };
const BASE = { dataset_name: 'd', hierarchy: [4, 2], summary_prompt: 'Summarize {{example}}' };

function problemsOf(raw: unknown): string[] {
  try {
    parseConfig(raw, OPTS);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

/** The one problem mentioning `key`; fails when there is none. */
function problemFor(raw: unknown, key: string): string {
  const problems = problemsOf(raw);
  const match = problems.find((p) => p.includes(`\`${key}\``));
  if (match === undefined) throw new Error(`no problem names \`${key}\`: ${problems.join(' | ')}`);
  return match;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'clio-config-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function writeConfig(name: string, content: unknown): Promise<string> {
  const file = path.join(tmp, name);
  await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

describe('reference configs', () => {
  it('has fixtures', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(8);
  });

  it.each(fixtureFiles)('%s validates unchanged', async (name) => {
    const loaded = await loadConfig(path.join(fixtures, name));
    expect(loaded.path).toBe(path.join(fixtures, name));
    expect(loaded.dir).toBe(fixtures);
    expect(loaded.digest).toMatch(/^[0-9a-f]{16}$/);
    expect(loaded.config.hierarchy.length).toBeGreaterThan(0);
  });

  it.skipIf(!existsSync(sharedConfigs))('the shared reference configs validate', async () => {
    for (const name of readdirSync(sharedConfigs).filter((f) => f.endsWith('.json'))) {
      await expect(loadConfig(path.join(sharedConfigs, name))).resolves.toBeDefined();
    }
  });

  it('applies defaults', async () => {
    const { config } = await loadConfig('tracing_project_example.json', { cwd: fixtures });
    expect(config).toMatchObject({
      project_name: 'chat-langchain-v3',
      start_time: '2025-07-19T00:00:00Z',
      hierarchy: [16, 5],
      sample: 100,
      partitions: null,
      max_concurrency: 8,
      seed: 42,
      min_cluster_size: 1,
      eval_sample: null,
      llm: { provider: 'auto' },
      embedder: { provider: 'offline' },
    });
    const minimal = parseConfig(BASE, OPTS);
    expect(minimal.save_path).toBe('./clustering_results');
    expect(minimal.sample).toBeNull();
  });

  it('digest ignores key order and follows content', async () => {
    const fa = await writeConfig(
      'a.json',
      '{"dataset_name": "d", "hierarchy": [4, 2], "summary_prompt": "{{x}}"}',
    );
    const fb = await writeConfig(
      'b.json',
      '{"summary_prompt": "{{x}}", "hierarchy": [4, 2], "dataset_name": "d"}',
    );
    const fc = await writeConfig(
      'c.json',
      '{"dataset_name": "d", "hierarchy": [4, 2], "summary_prompt": "{{y}}"}',
    );
    const [la, lb, lc] = await Promise.all([loadConfig(fa), loadConfig(fb), loadConfig(fc)]);
    expect(la.digest).toBe(lb.digest);
    expect(lc.digest).not.toBe(la.digest);
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,1]},"b":1}',
    );
  });
});

describe('data source', () => {
  it('requires one source', () => {
    const p = problemsOf({ hierarchy: [2], summary_prompt: '{{example}}' });
    expect(p.join('\n')).toMatch(/`dataset_name`.*`project_name`.*`source`/);
  });

  it('rejects two sources, naming both', () => {
    const p = problemFor({ ...BASE, project_name: 'p' }, 'project_name');
    expect(p).toContain('`dataset_name`');
    expect(p).toContain('exactly one');
  });

  it('rejects an empty dataset name', () => {
    expect(problemFor({ ...BASE, dataset_name: '  ' }, 'dataset_name')).toContain('got "  "');
  });

  it('resolves source.file relative to the config folder and infers the format', () => {
    const { dataset_name: _, ...rest } = BASE;
    const config = parseConfig({ ...rest, source: { file: 'data/rows.csv' } }, OPTS);
    expect(config.source).toEqual({
      file: path.resolve('/cfg', 'data/rows.csv'),
      format: 'csv',
      label_field: 'label',
      max_bad_row_fraction: 0.5,
    });
    const jsonl = parseConfig({ ...rest, source: { file: '/abs/x.jsonl' } }, OPTS);
    expect(jsonl.source?.file).toBe(path.resolve('/abs/x.jsonl'));
    expect(jsonl.source?.format).toBe('jsonl');
  });

  it('loadConfig resolves source.file against the config file, not the cwd', async () => {
    const { dataset_name: _, ...rest } = BASE;
    const file = await writeConfig('file-source.json', {
      ...rest,
      source: { file: './items.jsonl', inputs_field: 'question', label_field: 'topic' },
    });
    const { config } = await loadConfig(path.basename(file), { cwd: tmp });
    expect(config.source?.file).toBe(path.join(tmp, 'items.jsonl'));
    expect(config.source?.inputs_field).toBe('question');
    expect(config.source?.label_field).toBe('topic');
  });

  it('an explicit format wins; an unknown extension without one is an error', () => {
    const { dataset_name: _, ...rest } = BASE;
    const config = parseConfig({ ...rest, source: { file: 'x.txt', format: 'jsonl' } }, OPTS);
    expect(config.source?.format).toBe('jsonl');
    const p = problemFor({ ...rest, source: { file: 'x.json' } }, 'source.format');
    expect(p).toContain('"x.json"');
    expect(
      problemFor({ ...rest, source: { file: 'x.csv', format: 'tsv' } }, 'source.format'),
    ).toContain('got "tsv"');
  });

  it('rejects a source without a file', () => {
    const { dataset_name: _, ...rest } = BASE;
    expect(problemFor({ ...rest, source: {} }, 'source.file')).toContain('missing');
  });
});

describe('time window', () => {
  const PROJECT = { project_name: 'p', hierarchy: [2], summary_prompt: '{{run.inputs}}' };

  it('accepts each method alone', () => {
    expect(parseConfig({ ...PROJECT, hours: 5 }, OPTS).hours).toBe(5);
    expect(parseConfig({ ...PROJECT, days: 7 }, OPTS).days).toBe(7);
    expect(
      parseConfig({ ...PROJECT, filter_string: 'eq(status, "error")' }, OPTS).filter_string,
    ).toBe('eq(status, "error")');
  });

  it('rejects two methods, naming the keys', () => {
    const p = problemFor({ ...PROJECT, hours: 5, days: 2 }, 'hours');
    expect(p).toContain('`days`');
    const q = problemFor(
      { ...PROJECT, start_time: '2025-07-19T00:00:00Z', end_time: '2025-07-20T00:00:00Z', days: 1 },
      'days',
    );
    expect(q).toContain('`start_time`');
  });

  it('requires start_time and end_time together', () => {
    expect(problemFor({ ...PROJECT, start_time: '2025-07-19T00:00:00Z' }, 'end_time')).toContain(
      'missing',
    );
    expect(problemFor({ ...PROJECT, end_time: '2025-07-19T00:00:00Z' }, 'start_time')).toContain(
      'missing',
    );
  });

  it('requires a timezone and a real date', () => {
    const end = '2025-07-20T00:00:00Z';
    expect(
      problemFor({ ...PROJECT, start_time: '2025-07-19T00:00:00', end_time: end }, 'start_time'),
    ).toContain('got "2025-07-19T00:00:00"');
    expect(
      problemFor({ ...PROJECT, start_time: '2025-02-30T00:00:00Z', end_time: end }, 'start_time'),
    ).toContain('timezone');
  });

  it('requires start < end', () => {
    const p = problemFor(
      { ...PROJECT, start_time: '2025-07-20T00:00:00Z', end_time: '2025-07-20T00:00:00Z' },
      'start_time',
    );
    expect(p).toContain('before `end_time`');
  });

  it('rejects non-positive or fractional hours/days', () => {
    expect(problemFor({ ...PROJECT, hours: 0 }, 'hours')).toContain('got 0');
    expect(problemFor({ ...PROJECT, days: 1.5 }, 'days')).toContain('got 1.5');
  });

  it('rejects window keys and filter_string without project_name', () => {
    for (const [key, value] of [
      ['hours', 3],
      ['days', 2],
      ['filter_string', 'eq(a, 1)'],
      ['start_time', '2025-07-19T00:00:00Z'],
    ] as const) {
      const p = problemFor({ ...BASE, [key]: value }, key);
      expect(p).toContain('`project_name`');
    }
  });

  const now = new Date('2025-07-20T12:00:00Z');
  const base = { start_time: undefined, end_time: undefined, hours: undefined, days: undefined };

  it('resolves hours, days, explicit bounds and the 1-hour default', () => {
    expect(resolveTimeWindow({ ...base, hours: 5 }, now)).toEqual({
      start: new Date('2025-07-20T07:00:00Z'),
      end: now,
    });
    expect(resolveTimeWindow({ ...base, days: 2 }, now)).toEqual({
      start: new Date('2025-07-18T12:00:00Z'),
      end: now,
    });
    expect(resolveTimeWindow(base, now)).toEqual({
      start: new Date('2025-07-20T11:00:00Z'),
      end: now,
    });
    const explicit = resolveTimeWindow(
      { ...base, start_time: '2025-07-19T00:00:00+02:00', end_time: '2025-07-20T00:00:00Z' },
      now,
    );
    expect(explicit.start.toISOString()).toBe('2025-07-18T22:00:00.000Z');
    expect(explicit.end.toISOString()).toBe('2025-07-20T00:00:00.000Z');
  });

  it('does not keep a reference to the caller’s `now`', () => {
    const clock = new Date(now.getTime());
    const window = resolveTimeWindow(base, clock);
    clock.setTime(0);
    expect(window.end.getTime()).toBe(now.getTime());
  });

  it('windows are half-open: consecutive windows share the boundary only as end/start', () => {
    const a = new Date('2025-07-19T00:00:00Z');
    const b = new Date('2025-07-20T00:00:00Z');
    const c = new Date('2025-07-21T00:00:00Z');
    const first = resolveTimeWindow(
      { ...base, start_time: a.toISOString(), end_time: b.toISOString() },
      now,
    );
    const second = resolveTimeWindow({ ...base, days: 1 }, c);
    expect(second.start).toEqual(b);
    expect(isInTimeWindow(first, a)).toBe(true);
    expect(isInTimeWindow(first, b)).toBe(false);
    expect(isInTimeWindow(second, b)).toBe(true);
    expect(isInTimeWindow(second, c)).toBe(false);
    expect(isInTimeWindow(first, new Date(b.getTime() - 1))).toBe(true);
  });
});

describe('single keys', () => {
  it('hierarchy must be non-empty positive integers', () => {
    expect(problemFor({ ...BASE, hierarchy: [] }, 'hierarchy')).toContain('got []');
    expect(problemFor({ ...BASE, hierarchy: [4, 0] }, 'hierarchy[1]')).toContain('got 0');
    expect(problemFor({ ...BASE, hierarchy: [4, '2'] }, 'hierarchy[1]')).toContain('got "2"');
    expect(problemFor({ ...BASE, hierarchy: 5 }, 'hierarchy')).toContain('got 5');
    const { hierarchy: _, ...noHierarchy } = BASE;
    expect(problemFor(noHierarchy, 'hierarchy')).toContain('missing');
  });

  it('hierarchy must be strictly decreasing, naming the position', () => {
    expect(problemFor({ ...BASE, hierarchy: [10, 5, 8] }, 'hierarchy[2]')).toBe(
      '`hierarchy[2]`: got 8 after 5, expected fewer clusters than the level below',
    );
    expect(problemFor({ ...BASE, hierarchy: [5, 5] }, 'hierarchy[1]')).toContain('got 5 after 5');
  });

  it('summary_prompt must be a non-empty, valid mustache template', () => {
    expect(problemFor({ ...BASE, summary_prompt: '' }, 'summary_prompt')).toContain('got ""');
    expect(problemFor({ ...BASE, summary_prompt: 42 }, 'summary_prompt')).toContain('got 42');
    const p = problemFor(
      { ...BASE, summary_prompt: 'Summarize {{#example}} it' },
      'summary_prompt',
    );
    expect(p).toContain('Unclosed section "example"');
    expect(
      problemFor({ ...BASE, summary_prompt: 'Summarize {{example' }, 'summary_prompt'),
    ).toContain('Unclosed tag');
  });

  it('truncates long values', () => {
    const long = `{{#x}}${'a'.repeat(500)}`;
    const p = problemFor({ ...BASE, summary_prompt: long }, 'summary_prompt');
    expect(p).toContain('…');
    expect(p.length).toBeLessThan(250);
  });

  it('sample, max_concurrency, min_cluster_size, eval_sample must be positive integers', () => {
    expect(parseConfig({ ...BASE, sample: null }, OPTS).sample).toBeNull();
    expect(problemFor({ ...BASE, sample: 0 }, 'sample')).toContain('got 0');
    expect(problemFor({ ...BASE, sample: '10' }, 'sample')).toContain('got "10"');
    expect(problemFor({ ...BASE, max_concurrency: -1 }, 'max_concurrency')).toContain('got -1');
    expect(problemFor({ ...BASE, min_cluster_size: 0 }, 'min_cluster_size')).toContain('got 0');
    expect(problemFor({ ...BASE, eval_sample: 2.5 }, 'eval_sample')).toContain('got 2.5');
  });

  it('seed must be an integer', () => {
    expect(parseConfig({ ...BASE, seed: 0 }, OPTS).seed).toBe(0);
    expect(problemFor({ ...BASE, seed: 1.5 }, 'seed')).toContain('got 1.5, expected an integer');
  });

  it('save_path must be a non-empty string', () => {
    expect(parseConfig({ ...BASE, save_path: 'out' }, OPTS).save_path).toBe('out');
    expect(problemFor({ ...BASE, save_path: '' }, 'save_path')).toContain('got ""');
  });

  it('partitions: null or a non-empty object of non-empty strings', () => {
    expect(parseConfig({ ...BASE, partitions: { A: 'a', B: 'b' } }, OPTS).partitions).toEqual({
      A: 'a',
      B: 'b',
    });
    expect(problemFor({ ...BASE, partitions: {} }, 'partitions')).toContain('got {}');
    expect(problemFor({ ...BASE, partitions: ['A'] }, 'partitions')).toContain('got ["A"]');
    expect(problemFor({ ...BASE, partitions: { A: '' } }, 'partitions.A')).toContain('got ""');
    expect(
      problemFor({ ...BASE, partitions: { 'Tech Issues': 3 } }, 'partitions["Tech Issues"]'),
    ).toContain('got 3');
    expect(problemFor({ ...BASE, partitions: { ' ': 'x' } }, 'partitions')).toContain('name " "');
  });

  it('llm options', () => {
    const config = parseConfig(
      {
        ...BASE,
        llm: {
          provider: 'anthropic',
          model: 'm',
          max_tokens: 500,
          temperature: 0,
          batch: true,
          budget_usd: 2.5,
        },
      },
      OPTS,
    );
    expect(config.llm).toEqual({
      provider: 'anthropic',
      model: 'm',
      max_tokens: 500,
      temperature: 0,
      batch: true,
      budget_usd: 2.5,
    });
    const p = problemFor({ ...BASE, llm: { provider: 'antropic' } }, 'llm.provider');
    expect(p).toContain('got "antropic"');
    expect(p).toContain('did you mean "anthropic"');
    // Deprecated and never sent: loaded whatever its value, with a warning to remove it.
    const warm = parseConfig({ ...BASE, llm: { temperature: 1.5 } }, OPTS);
    expect(staticConfigWarnings(warm)).toEqual([
      '`llm.temperature` is deprecated and ignored: current Claude models take no temperature (and the reference OpenCLIO has no such key); remove it from the config',
    ]);
    expect(problemFor({ ...BASE, llm: { max_tokens: 0 } }, 'llm.max_tokens')).toContain('got 0');
    expect(problemFor({ ...BASE, llm: { budget_usd: 0 } }, 'llm.budget_usd')).toContain('got 0');
    expect(problemFor({ ...BASE, llm: { batch: 'yes' } }, 'llm.batch')).toContain('got "yes"');
    expect(problemFor({ ...BASE, llm: 'anthropic' }, 'llm')).toContain('got "anthropic"');
  });

  it('llm effort and prices', () => {
    const config = parseConfig(
      {
        ...BASE,
        llm: {
          effort: 'medium',
          naming_effort: 'high',
          prices: { 'my-model': { input: 1, output: 5, cache_read: 0.2 } },
        },
      },
      OPTS,
    );
    expect(config.llm).toMatchObject({
      effort: 'medium',
      naming_effort: 'high',
      prices: { 'my-model': { input: 1, output: 5, cache_read: 0.2 } },
    });
    const effort = problemFor({ ...BASE, llm: { effort: 'extreme' } }, 'llm.effort');
    expect(effort).toContain('got "extreme"');
    expect(effort).toContain('"low", "medium", "high", "xhigh", "max"');
    expect(
      problemFor(
        { ...BASE, llm: { prices: { m: { input: -1, output: 1 } } } },
        'llm.prices.m.input',
      ),
    ).toContain('US dollars per million tokens');
    expect(
      problemFor({ ...BASE, llm: { prices: { m: { input: 1 } } } }, 'llm.prices.m.output'),
    ).toContain('US dollars per million tokens');
    expect(problemFor({ ...BASE, llm: { prices: { m: 3 } } }, 'llm.prices.m')).toContain(
      '{"input": 1, "output": 5}',
    );
  });

  it('embedder options', () => {
    const config = parseConfig(
      {
        ...BASE,
        embedder: { provider: 'openai', dimensions: 256, base_url: 'http://localhost:8080/v1' },
      },
      OPTS,
    );
    expect(config.embedder).toMatchObject({ provider: 'openai', dimensions: 256 });
    expect(
      problemFor({ ...BASE, embedder: { provider: 'cohere' } }, 'embedder.provider'),
    ).toContain('got "cohere"');
    expect(problemFor({ ...BASE, embedder: { dimensions: -3 } }, 'embedder.dimensions')).toContain(
      'got -3',
    );
    expect(problemFor({ ...BASE, embedder: { base_url: 'nope' } }, 'embedder.base_url')).toContain(
      'got "nope"',
    );
  });

  it('the config must be an object', () => {
    expect(problemsOf([1, 2])[0]).toContain('got [1,2]');
    expect(problemsOf('x')[0]).toContain('expected a JSON object');
  });
});

describe('unknown keys', () => {
  it('suggests the closest known key', () => {
    const { hierarchy, ...rest } = BASE;
    const p = problemFor({ ...rest, hierachy: hierarchy }, 'hierachy');
    expect(p).toContain('unknown key');
    expect(p).toContain('did you mean `hierarchy`?');
    expect(problemFor({ ...BASE, savePath: 'x' }, 'savePath')).toContain(
      'did you mean `save_path`?',
    );
    expect(problemFor({ ...BASE, hour: 3 }, 'hour')).toContain('did you mean `hours`?');
  });

  it('suggests inside source, llm and embedder, and nested homes for top-level slips', () => {
    expect(problemFor({ ...BASE, llm: { modle: 'x' } }, 'llm.modle')).toContain('`llm.model`');
    expect(problemFor({ ...BASE, embedder: { dimension: 3 } }, 'embedder.dimension')).toContain(
      '`embedder.dimensions`',
    );
    const { dataset_name: _, ...rest } = BASE;
    expect(
      problemFor({ ...rest, source: { file: 'a.csv', id_feild: 'x' } }, 'source.id_feild'),
    ).toContain('`source.id_field`');
    expect(problemFor({ ...BASE, temperature: 0.2 }, 'temperature')).toContain('`llm.temperature`');
  });

  it('lists known keys when nothing is close', () => {
    const p = problemFor({ ...BASE, zzzzzzzz: 1 }, 'zzzzzzzz');
    expect(p).toContain('`summary_prompt`');
  });

  it('closestMatch is case/separator tolerant and refuses far matches', () => {
    expect(closestMatch('SUMMARY-PROMPT', ['summary_prompt', 'sample'])).toBe('summary_prompt');
    expect(closestMatch('hierarhcy', ['hierarchy'])).toBe('hierarchy');
    expect(closestMatch('banana', ['hierarchy', 'seed'])).toBeUndefined();
  });
});

describe('reporting', () => {
  it('reports every problem at once, one per line, in file order', () => {
    const raw = {
      dataset_name: 'd',
      hierarchy: [5, 8],
      summary_prompt: '',
      sample: -1,
      seed: 'x',
      hours: 4,
      llm: { provider: 'nope' },
    };
    let error: unknown;
    try {
      parseConfig(raw, OPTS);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const { problems, message, file, name } = error as ConfigError;
    expect(name).toBe('ConfigError');
    expect(file).toBe(OPTS.file);
    expect(problems).toHaveLength(6);
    expect(message.startsWith(`Invalid config ${OPTS.file}:`)).toBe(true);
    expect(message.split('\n')).toHaveLength(problems.length + 1);
    const order = ['hierarchy[1]', 'summary_prompt', 'sample', 'seed', 'hours', 'llm.provider'];
    expect(problems.map((p) => order.findIndex((k) => p.startsWith(`\`${k}\``)))).toEqual([
      0, 1, 2, 3, 4, 5,
    ]);
  });

  it('never echoes values of secret-looking keys or secret-looking values', () => {
    // Shaped like an Anthropic key, assembled so no key-like literal sits in the tree.
    const secret = ['sk', 'ant', 'api03', 'not-a-real-key-0000'].join('-');
    const problems = problemsOf({
      ...BASE,
      anthropic_api_key: secret,
      llm: { access_token: secret, model: 7 },
      embedder: { provider: secret },
      extra: { password: 'hunter2hunter2', nested: { secret_value: 'xyz-private' } },
    });
    const text = problems.join('\n');
    expect(text).toContain('`anthropic_api_key`');
    expect(text).toContain('`llm.access_token`');
    expect(text).toContain('`embedder.provider`');
    expect(text).not.toContain(secret);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('xyz-private');
    expect(text).toContain('hidden');
  });
});

describe('loading files', () => {
  it('reports JSON syntax errors with file, line and column', async () => {
    const file = await writeConfig(
      'broken.json',
      '{\n  "dataset_name": "d",\n  "hierarchy": [4, 2],\n  "summary_prompt": "x" "y"\n}\n',
    );
    const err = await loadConfig(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const message = (err as ConfigError).message;
    expect(message).toContain(file);
    expect(message).toContain('line 4, column 25');
  });

  it('locates errors V8 reports without a position, without quoting the text', async () => {
    const file = await writeConfig(
      'broken2.json',
      '{\n  "api_key": "sk-secret-value-123",\n  "a": }',
    );
    const err = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(err.message).toContain('line 3, column 8');
    expect(err.message).not.toContain('sk-secret');
  });

  it('names trailing commas and comments', async () => {
    const trailing = await writeConfig('trailing.json', '{\n  "hierarchy": [4, 2],\n}');
    expect((await loadConfig(trailing).catch((e: unknown) => e)) as Error).toHaveProperty(
      'message',
      expect.stringContaining('trailing comma'),
    );
    const comment = await writeConfig('comment.json', '{\n  // mine\n  "hierarchy": [4]\n}');
    expect((await loadConfig(comment).catch((e: unknown) => e)) as Error).toHaveProperty(
      'message',
      expect.stringContaining('line 2, column 3'),
    );
  });

  it('a missing file names the absolute path', async () => {
    const err = await loadConfig('does-not-exist.json', { cwd: tmp }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigFileError);
    expect((err as ConfigFileError).message).toContain(path.join(tmp, 'does-not-exist.json'));
    expect((err as ConfigFileError).code).toBe('ENOENT');
  });

  it('validation errors from loadConfig name the absolute file', async () => {
    const file = await writeConfig('invalid.json', { ...BASE, hierarchy: [2, 3] });
    const err = (await loadConfig(file).catch((e: unknown) => e)) as ConfigError;
    expect(err.file).toBe(file);
    expect(err.message.startsWith(`Invalid config ${file}:`)).toBe(true);
  });
});

describe('warnings', () => {
  const config = (over: Partial<ClioConfig>): ClioConfig => ({
    ...parseConfig(BASE, OPTS),
    ...over,
  });
  const items = (n: number) => ({ loaded: n, sampled: n });

  it('warns when the base level exceeds √items', () => {
    const w = configWarnings(config({ hierarchy: [16, 5] }), items(100));
    expect(w.some((m) => m.includes('`hierarchy[0]`') && m.includes('√'))).toBe(true);
    expect(configWarnings(config({ hierarchy: [10, 5] }), items(100))).toEqual([]);
  });

  it('warns once, with the counts asked and used, when levels shrink to fit the items', () => {
    const w = configWarnings(config({ hierarchy: [36, 12, 5] }), items(10));
    const shrink = w.filter((m) => m.includes('`hierarchy`'));
    expect(shrink).toEqual([
      '`hierarchy` [36, 12, 5] asks for more clusters than 10 items can fill; using [9, 8, 5] (each level needs fewer clusters than the level below has, and the base level fewer than the items); the guideline is base level ≤ √(number of items): √10 ≈ 3.2, i.e. at most 3',
    ]);
    expect(w).toHaveLength(1);
  });

  it('warns once when `sample` is more than the items', () => {
    const w = configWarnings(config({ sample: 5000, hierarchy: [10, 5] }), {
      loaded: 1500,
      sampled: 1500,
    });
    expect(w).toEqual(['`sample` 5000 is more than the 1500 items; using all of them']);
    expect(configWarnings(config({ sample: 1500, hierarchy: [10, 5] }), items(1500))).toEqual([]);
  });

  it('warns when the top level differs from the partition count', () => {
    const partitions = { A: 'a', B: 'b', C: 'c' };
    const w = configWarnings(config({ hierarchy: [9, 2], partitions }), items(100));
    expect(w.some((m) => m.includes('`partitions` has 3'))).toBe(true);
    expect(configWarnings(config({ hierarchy: [9, 3], partitions }), items(100))).toEqual([]);
  });

  it('warns about a summary prompt without tags', () => {
    expect(staticConfigWarnings({ summary_prompt: 'Summarize this.' })).toHaveLength(1);
    expect(staticConfigWarnings({ summary_prompt: 'Summarize {{run}}' })).toEqual([]);
    expect(configWarnings(config({ summary_prompt: 'plain' }), items(100))[0]).toContain(
      'summary_prompt',
    );
  });
});

describe('cluster_vectors', () => {
  it('defaults to hybrid vectors for the offline embedder and to the embeddings otherwise', () => {
    expect(clusterVectorsOf(parseConfig(BASE, OPTS))).toBe('hybrid');
    const voyage = parseConfig({ ...BASE, embedder: { provider: 'voyage' } }, OPTS);
    expect(clusterVectorsOf(voyage)).toBe('embeddings');
    const tfidf = parseConfig({ ...BASE, embedder: { provider: 'tfidf' } }, OPTS);
    expect(clusterVectorsOf(tfidf)).toBe('embeddings');
    const chosen = parseConfig({ ...BASE, cluster_vectors: 'embeddings' }, OPTS);
    expect(clusterVectorsOf(chosen)).toBe('embeddings');
  });

  it('names the key and the accepted values when the value is wrong', () => {
    const problem = problemFor({ ...BASE, cluster_vectors: 'tfidf' }, 'cluster_vectors');
    expect(problem).toMatch(/"hybrid"/);
    expect(problem).toMatch(/"embeddings"/);
  });
});

describe('facets', () => {
  const parse = (facets: unknown) => parseConfig({ ...BASE, facets }, OPTS).facets;

  it('accepts category and scale facets, and none', () => {
    expect(parseConfig(BASE, OPTS).facets).toEqual({});
    expect(
      parse({
        sentiment: {
          question: 'How does the user feel?',
          type: 'category',
          values: ['happy', 'angry'],
        },
        topic: { question: 'What is it about?', type: 'category' },
        frustration: { question: 'How frustrated, 1-5?', type: 'scale', min: 1, max: 5 },
      }),
    ).toEqual({
      sentiment: {
        question: 'How does the user feel?',
        type: 'category',
        values: ['happy', 'angry'],
      },
      topic: { question: 'What is it about?', type: 'category' },
      frustration: { question: 'How frustrated, 1-5?', type: 'scale', min: 1, max: 5 },
    });
  });

  it('names every problem of a facet at its key', () => {
    const problems = problemsOf({
      ...BASE,
      facets: {
        'Bad Name': { question: 'q', type: 'category' },
        language: { question: 'q', type: 'category' },
        scale: { question: 'q', type: 'scale', min: 5, max: 5 },
        frac: { question: 'q', type: 'scale', min: 1.5, max: 3 },
        nomax: { question: 'q', type: 'scale', min: 1 },
        dup: { question: ' ', type: 'category', values: ['a', 'a'] },
        kind: { question: 'q', type: 'ordinal' },
        mixed: { question: 'q', type: 'category', min: 1 },
      },
    }).join('\n');
    expect(problems).toContain('"Bad Name", expected an identifier');
    expect(problems).toContain('"language" is a built-in facet');
    expect(problems).toMatch(
      /`facets\.scale\.max`: got 5 with `min` 5, expected a `max` above `min`/,
    );
    expect(problems).toMatch(/`facets\.frac\.min`: got 1\.5, expected an integer/);
    expect(problems).toMatch(/`facets\.nomax\.max`: missing/);
    expect(problems).toMatch(/`facets\.dup\.question`: got " ", expected a non-empty question/);
    expect(problems).toMatch(/`facets\.dup\.values`: .*distinct/);
    expect(problems).toMatch(/`facets\.kind\.type`: got "ordinal"/);
    expect(problems).toMatch(/`facets\.mixed\.min`: only a "scale" facet/);
  });

  it('suggests the facet key a typo meant', () => {
    const facets = { mood: { qestion: 'q', question: 'q', type: 'category' } };
    expect(problemFor({ ...BASE, facets }, 'facets.mood.qestion')).toContain(
      'did you mean `facets.mood.question`?',
    );
  });

  it('refuses more than ten facets', () => {
    const many = Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`f${i}`, { question: 'q', type: 'category' }]),
    );
    expect(problemFor({ ...BASE, facets: many }, 'facets')).toContain('at most 10');
  });
});
