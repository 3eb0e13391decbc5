import Mustache from 'mustache';
import { z } from 'zod';
import { facetsSchema } from './facets.js';
import { PRIVACY_AUDIT_KEYS, privacyAuditSchema } from './privacy.js';

export const LLM_PROVIDERS = ['auto', 'offline', 'anthropic', 'bedrock'] as const;
export const EMBEDDER_PROVIDERS = ['offline', 'tfidf', 'bedrock', 'voyage', 'openai'] as const;
export const SOURCE_FORMATS = ['jsonl', 'csv'] as const;

export type LlmProvider = (typeof LLM_PROVIDERS)[number];
export type EmbedderProvider = (typeof EMBEDDER_PROVIDERS)[number];
export type SourceFormat = (typeof SOURCE_FORMATS)[number];

export const DEFAULT_SAVE_PATH = './clustering_results';

/**
 * Issues whose message is a whole sentence rather than the `expected …` phrase the formatter
 * appends to `got <value>, expected`.
 */
export const FULL_MESSAGE = { full: true } as const;

// Every schema message below is the "expected" half of a problem; the formatter adds the key
// path and the value received, so zod's own vaguer wording never reaches the user.
const posInt = (what = 'a positive integer') =>
  z.number({ error: what }).int({ error: what }).positive({ error: what });

const nonEmpty = (what = 'a non-empty string') =>
  z.string({ error: what }).refine((s) => s.trim() !== '', { error: what });

// Python's `config.get(key)` treats null like an absent key; keep that for optional keys.
const nullishToUndefined = <T extends z.ZodType>(schema: T) =>
  schema
    .nullish()
    .transform((v): z.output<T> | undefined => v ?? undefined)
    .optional();

const ISO_WITH_ZONE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** True for an ISO 8601 timestamp that names its timezone and is a real calendar instant. */
export function isIsoTimestampWithZone(s: string): boolean {
  const m = ISO_WITH_ZONE.exec(s.trim());
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0));
  if (month === undefined || day === undefined || year === undefined) return false;
  // Date.parse rolls 2025-02-30 over into March instead of rejecting it.
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) return false;
  if ((hour ?? 0) > 23 || (minute ?? 0) > 59 || (second ?? 0) > 59) return false;
  return !Number.isNaN(Date.parse(s.trim()));
}

const timestamp = z
  .string({ error: 'an ISO 8601 timestamp with a timezone, e.g. "2025-07-19T00:00:00Z"' })
  .refine(isIsoTimestampWithZone, {
    error: 'an ISO 8601 timestamp with a timezone, e.g. "2025-07-19T00:00:00Z"',
  });

const hierarchy = z
  .array(z.unknown(), {
    error: 'a non-empty array of cluster counts, base level first, e.g. [15, 8, 3]',
  })
  .min(1, { error: 'a non-empty array of cluster counts, base level first, e.g. [15, 8, 3]' })
  .superRefine((levels, ctx) => {
    levels.forEach((level, i) => {
      if (typeof level !== 'number' || !Number.isSafeInteger(level) || level < 1) {
        ctx.addIssue({ code: 'custom', path: [i], message: 'a positive integer (cluster count)' });
        return;
      }
      const below = levels[i - 1];
      if (i > 0 && typeof below === 'number' && Number.isSafeInteger(below) && level >= below) {
        ctx.addIssue({
          code: 'custom',
          path: [i],
          params: FULL_MESSAGE,
          message: `got ${level} after ${below}, expected fewer clusters than the level below`,
        });
      }
    });
  })
  .transform((levels) => levels as number[]);

const summaryPrompt = z
  .string({ error: 'a non-empty mustache template string' })
  .superRefine((prompt, ctx) => {
    if (prompt.trim() === '') {
      ctx.addIssue({ code: 'custom', message: 'a non-empty mustache template string' });
      return;
    }
    try {
      Mustache.parse(prompt);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      ctx.addIssue({ code: 'custom', message: `a valid mustache template (mustache: ${reason})` });
    }
  });

// Emptiness of the object and of its names is checked in rules.ts: zod skips refinements on a
// record whose values already failed, and both kinds of problem should be reported together.
export const PARTITIONS_EXPECTED =
  'null or an object of {"partition name": "description"} with at least one entry';
const partitions = z.record(z.string(), nonEmpty('a non-empty description string'), {
  error: PARTITIONS_EXPECTED,
});

const oneOf = (values: readonly string[]) =>
  `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;

/** More than half of the rows unreadable: the file is most likely not in the format it is read as. */
export const DEFAULT_MAX_BAD_ROW_FRACTION = 0.5;
const BAD_ROW_FRACTION =
  'a fraction from 0 to 1 of the rows that may fail to parse (0.5: refuse the file when more than half do)';

export const sourceSchema = z.strictObject(
  {
    file: nonEmpty('a path to a .jsonl or .csv file, relative to the config file'),
    format: nullishToUndefined(z.enum(SOURCE_FORMATS, { error: oneOf(SOURCE_FORMATS) })),
    // No default here: a field the config names must exist in the file, the default `id` need not.
    id_field: nullishToUndefined(nonEmpty('a non-empty column/field name')),
    label_field: nonEmpty('a non-empty column/field name').default('label'),
    inputs_field: nullishToUndefined(nonEmpty('a non-empty column/field name')),
    outputs_field: nullishToUndefined(nonEmpty('a non-empty column/field name')),
    metadata_field: nullishToUndefined(nonEmpty('a non-empty column/field name')),
    /** Share of rows that may fail to parse before the file is refused as the wrong format. */
    max_bad_row_fraction: z
      .number({ error: BAD_ROW_FRACTION })
      .min(0, { error: BAD_ROW_FRACTION })
      .max(1, { error: BAD_ROW_FRACTION })
      .default(DEFAULT_MAX_BAD_ROW_FRACTION),
  },
  { error: 'an object like {"file": "data.jsonl"}' },
);

export const EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

const usdPerMillion = z
  .number({ error: 'US dollars per million tokens (a number ≥ 0)' })
  .nonnegative({ error: 'US dollars per million tokens (a number ≥ 0)' });

/** A price as a config writes it; cache prices default to Anthropic's 1.25× and 0.1× of input. */
const modelPrice = z.strictObject(
  {
    input: usdPerMillion,
    output: usdPerMillion,
    cache_write: usdPerMillion.optional(),
    cache_read: usdPerMillion.optional(),
  },
  { error: 'an object like {"input": 1, "output": 5} (US dollars per million tokens)' },
);

export const llmSchema = z.strictObject(
  {
    provider: z.enum(LLM_PROVIDERS, { error: oneOf(LLM_PROVIDERS) }).default('auto'),
    model: nonEmpty('a non-empty model id').optional(),
    naming_model: nonEmpty('a non-empty model id').optional(),
    max_tokens: posInt().optional(),
    /**
     * Deprecated, never sent: current Claude models take no temperature and the reference
     * OpenCLIO has no such key. Accepted, whatever its value, so configs written for earlier
     * versions still load; a warning says to remove it (staticConfigWarnings).
     */
    temperature: z.unknown().optional(),
    region: nonEmpty('a non-empty region name, e.g. "us-east-1"').optional(),
    batch: z.boolean({ error: 'true or false' }).optional(),
    /** Client-side limits, so a large run stays under the account's limits. */
    requests_per_minute: posInt('a positive whole number of requests per minute').optional(),
    tokens_per_minute: posInt('a positive whole number of tokens per minute').optional(),
    budget_usd: z
      .number({ error: 'a positive number of US dollars' })
      .positive({ error: 'a positive number of US dollars' })
      .optional(),
    /** How hard current models think on summaries, and on naming, grouping and judging. */
    effort: z.enum(EFFORTS, { error: oneOf(EFFORTS) }).optional(),
    naming_effort: z.enum(EFFORTS, { error: oneOf(EFFORTS) }).optional(),
    /** USD per million tokens for models the built-in table lacks, or a contract's prices. */
    prices: z
      .record(nonEmpty('a model id'), modelPrice, {
        error: 'an object like {"my-model": {"input": 1, "output": 5}}',
      })
      .optional(),
  },
  { error: 'an object like {"provider": "anthropic"}' },
);

const isHttpUrl = (s: string): boolean => {
  try {
    const url = new URL(s);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
};

/** `cluster_vectors`: see `clusterVectorsOf`. */
export const CLUSTER_VECTORS = ['hybrid', 'embeddings'] as const;

export const embedderSchema = z.strictObject(
  {
    provider: z.enum(EMBEDDER_PROVIDERS, { error: oneOf(EMBEDDER_PROVIDERS) }).default('offline'),
    model: nonEmpty('a non-empty model id').optional(),
    dimensions: posInt().optional(),
    base_url: z
      .string({ error: 'an http(s) URL' })
      .refine(isHttpUrl, { error: 'an http(s) URL' })
      .optional(),
    region: nonEmpty('a non-empty region name, e.g. "us-east-1"').optional(),
  },
  { error: 'an object like {"provider": "offline"}' },
);

export const configSchema = z.strictObject(
  {
    dataset_name: nullishToUndefined(nonEmpty('a LangSmith dataset name (non-empty string)')),
    project_name: nullishToUndefined(nonEmpty('a LangSmith project name (non-empty string)')),
    source: nullishToUndefined(sourceSchema),
    start_time: nullishToUndefined(timestamp),
    end_time: nullishToUndefined(timestamp),
    hours: nullishToUndefined(posInt('a positive whole number of hours')),
    days: nullishToUndefined(posInt('a positive whole number of days')),
    filter_string: nullishToUndefined(nonEmpty('a non-empty LangSmith filter string')),
    hierarchy,
    summary_prompt: summaryPrompt,
    save_path: nonEmpty('a non-empty directory path').default(DEFAULT_SAVE_PATH),
    sample: posInt('a positive integer or null (null = every item)').nullable().default(null),
    partitions: partitions.nullable().default(null),
    max_concurrency: posInt().default(8),
    seed: z.number({ error: 'an integer' }).int({ error: 'an integer' }).default(42),
    llm: llmSchema.prefault({}),
    embedder: embedderSchema.prefault({}),
    min_cluster_size: posInt().default(1),
    /** Base clusters with fewer distinct users (else threads, else items) are withheld. */
    min_distinct_users: posInt().default(1),
    privacy_audit: privacyAuditSchema,
    cluster_vectors: nullishToUndefined(z.enum(CLUSTER_VECTORS, { error: oneOf(CLUSTER_VECTORS) })),
    eval_sample: posInt('a positive integer or null (null = every item)').nullable().default(null),
    /** The judge also checks each sampled item's question-facet answers (rules.ts: needs `facets`). */
    eval_facets: z.boolean({ error: 'true or false' }).default(false),
    /**
     * Runs of this save_path kept for `trends` (a small summary each, not the outputs): 30 is a
     * month of daily windows; 0 keeps none.
     */
    history: z
      .number({ error: 'a whole number of runs to keep (0 keeps none)' })
      .int({ error: 'a whole number of runs to keep (0 keeps none)' })
      .min(0, { error: 'a whole number of runs to keep (0 keeps none)' })
      .default(30),
    /** Questions the summary model answers per item (see ./facets.ts); built-ins need no key. */
    facets: nullishToUndefined(facetsSchema).transform((f) => f ?? {}),
  },
  {
    error:
      'a JSON object with `hierarchy`, `summary_prompt` and one data source (`dataset_name`, `project_name` or `source`)',
  },
);

/** Known keys per object path, for unknown-key suggestions. */
export const KNOWN_KEYS = {
  '': Object.keys(configSchema.shape),
  source: Object.keys(sourceSchema.shape),
  llm: Object.keys(llmSchema.shape),
  embedder: Object.keys(embedderSchema.shape),
  privacy_audit: PRIVACY_AUDIT_KEYS,
} as const satisfies Record<string, readonly string[]>;

type SchemaOutput = z.output<typeof configSchema>;
type SchemaSource = NonNullable<SchemaOutput['source']>;

/** `source` after loading: `file` is absolute and `format` is always known. */
export type FileSourceConfig = Omit<SchemaSource, 'format'> & { format: SourceFormat };

/** A validated config: the reference's snake_case keys with every default applied. */
export type ClioConfig = Omit<SchemaOutput, 'source'> & { source?: FileSourceConfig };
export type LlmConfig = ClioConfig['llm'];
export type EmbedderConfig = ClioConfig['embedder'];

/**
 * What k-means clusters items on. Without the key, `hybrid` for the offline embedder (measured
 * there: README "Cluster quality") and `embeddings` for the rest, whose vectors we could not
 * measure against labels offline and which TF-IDF itself would only duplicate.
 */
export function clusterVectorsOf(config: Pick<ClioConfig, 'embedder' | 'cluster_vectors'>) {
  return (
    config.cluster_vectors ?? (config.embedder.provider === 'offline' ? 'hybrid' : 'embeddings')
  );
}

/** Whether the configured embedder is fitted on the texts of each call (TF-IDF), not per text. */
export const embedderIsContextual = (config: Pick<ClioConfig, 'embedder'>): boolean =>
  config.embedder.provider === 'tfidf';

export type SourceKind = 'dataset' | 'project' | 'file';

export function configSourceKind(config: ClioConfig): SourceKind {
  if (config.source) return 'file';
  return config.project_name !== undefined ? 'project' : 'dataset';
}
