import path from 'node:path';
import { describeValue, got } from './format.js';
import { isIsoTimestampWithZone, PARTITIONS_EXPECTED, type SourceFormat } from './schema.js';

/** A problem tied to the top-level key it is about, so problems can be listed in file order. */
export interface RuleProblem {
  readonly key: string | undefined;
  readonly message: string;
}

const SOURCE_KEYS = ['dataset_name', 'project_name', 'source'] as const;
const WINDOW_KEYS = ['start_time', 'end_time', 'hours', 'days', 'filter_string'] as const;

const FORMAT_BY_EXTENSION: Record<string, SourceFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.csv': 'csv',
};

export function formatFromExtension(file: string): SourceFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
}

// null counts as absent, as `config.get(key)` does in the reference.
function present(raw: Record<string, unknown>, key: string): boolean {
  return raw[key] !== undefined && raw[key] !== null;
}

const list = (keys: readonly string[]): string => keys.map((k) => `\`${k}\``).join(', ');

/**
 * Rules that span several keys. They read the raw object rather than zod's output so they are
 * reported even when some single key is also invalid.
 */
export function crossFieldProblems(raw: Record<string, unknown>): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const sources = SOURCE_KEYS.filter((k) => present(raw, k));

  if (sources.length === 0) {
    problems.push({
      key: undefined,
      message:
        'no data source: expected exactly one of `dataset_name` (LangSmith dataset), `project_name` (LangSmith tracing project) or `source` ({"file": "data.jsonl"})',
    });
  } else if (sources.length > 1) {
    problems.push({
      key: sources[1],
      message: `${list(sources)}: got ${sources.length} data sources, expected exactly one`,
    });
  }

  const windowKeys = WINDOW_KEYS.filter((k) => present(raw, k));
  if (sources.length > 0 && !sources.includes('project_name')) {
    for (const key of windowKeys) {
      problems.push({
        key,
        message: `\`${key}\`: ${got(raw[key], [key])}, expected only with \`project_name\` (time windows and filters apply to tracing projects, not to \`${sources[0]}\`)`,
      });
    }
  }

  const methods: string[][] = [];
  const explicit = (['start_time', 'end_time'] as const).filter((k) => present(raw, k));
  if (explicit.length > 0) methods.push(explicit);
  if (present(raw, 'hours')) methods.push(['hours']);
  if (present(raw, 'days')) methods.push(['days']);
  if (methods.length > 1) {
    const keys = methods.flat();
    problems.push({
      key: keys[1],
      message: `${list(keys)}: got ${methods.length} time window methods, expected only one of \`start_time\`+\`end_time\`, \`hours\` or \`days\``,
    });
  }

  if (explicit.length === 1) {
    const [have, missing] =
      explicit[0] === 'start_time' ? ['start_time', 'end_time'] : ['end_time', 'start_time'];
    problems.push({
      key: missing,
      message: `\`${missing}\`: missing, expected it together with \`${have}\` (${describeValue(raw[have], [have])})`,
    });
  } else if (explicit.length === 2) {
    const start = raw.start_time;
    const end = raw.end_time;
    if (
      typeof start === 'string' &&
      typeof end === 'string' &&
      isIsoTimestampWithZone(start) &&
      isIsoTimestampWithZone(end) &&
      Date.parse(start) >= Date.parse(end)
    ) {
      problems.push({
        key: 'start_time',
        message: `\`start_time\`: got ${JSON.stringify(start)}, expected a time before \`end_time\` (${JSON.stringify(end)})`,
      });
    }
  }

  const source = raw.source;
  if (source !== null && typeof source === 'object' && !Array.isArray(source)) {
    const { file, format } = source as Record<string, unknown>;
    if (
      typeof file === 'string' &&
      file.trim() !== '' &&
      (format === undefined || format === null) &&
      formatFromExtension(file) === undefined
    ) {
      problems.push({
        key: 'source',
        message: `\`source.format\`: missing and \`source.file\` (${JSON.stringify(file)}) does not end in .jsonl, .ndjson or .csv, expected "jsonl" or "csv"`,
      });
    }
  }
  const partitions = raw.partitions;
  if (partitions !== null && typeof partitions === 'object' && !Array.isArray(partitions)) {
    const names = Object.keys(partitions);
    if (names.length === 0) {
      problems.push({
        key: 'partitions',
        message: `\`partitions\`: got {}, expected ${PARTITIONS_EXPECTED}`,
      });
    }
    for (const name of names.filter((n) => n.trim() === '')) {
      problems.push({
        key: 'partitions',
        message: `\`partitions\`: got the partition name ${JSON.stringify(name)}, expected non-empty partition names`,
      });
    }
  }
  const facets = raw.facets;
  const noFacets =
    facets === undefined ||
    facets === null ||
    (typeof facets === 'object' && Object.keys(facets).length === 0);
  if (raw.eval_facets === true && noFacets) {
    problems.push({
      key: 'eval_facets',
      message:
        '`eval_facets`: got true, expected it only with question `facets` to check (the built-in facets language, turns and length are not judged)',
    });
  }
  return problems;
}
