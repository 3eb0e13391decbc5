import { transformJSONSchema } from '@anthropic-ai/sdk/lib/transform-json-schema';
import { z } from 'zod';

/** The JSON Schema of a tool's input as the Messages API takes it: always an object at the root. */
export interface ToolInputSchema {
  type: 'object';
  properties?: unknown;
  required?: string[];
  [key: string]: unknown;
}

/** A reply schema that cannot be a tool's input (its root is not an object). */
export class ToolSchemaError extends Error {
  override name = 'ToolSchemaError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

// Converting is cheap but happens on every request; a task's schema object lives as long as the task.
const converted = new WeakMap<z.ZodType, ToolInputSchema>();

/**
 * The tool `input_schema` for a task's reply schema. The model writes what the schema parses, so
 * the input side is described (defaults optional, before transforms). `$schema` is dropped: the
 * API reads the schema itself and needs no dialect marker.
 */
export function toolInputSchema(schema: z.ZodType): ToolInputSchema {
  const cached = converted.get(schema);
  if (cached) return cached;
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
  } catch (error) {
    throw new ToolSchemaError('the reply schema cannot be expressed as JSON Schema', {
      cause: error,
    });
  }
  const { $schema: _dialect, ...rest } = json;
  if (rest.type !== 'object') {
    throw new ToolSchemaError(
      `a tool's input must be a JSON object, but the reply schema has type ${JSON.stringify(rest.type)}`,
    );
  }
  const result = rest as ToolInputSchema;
  converted.set(schema, result);
  return result;
}

const structured = new WeakMap<z.ZodType, Record<string, unknown>>();

/**
 * The schema for `output_config.format`: the tool schema reduced to what constrained decoding
 * supports (no length or number bounds, `additionalProperties: false`), by the SDK's own
 * transform, which moves each dropped constraint into the description so the model still reads
 * it. Zod checks the dropped constraints on the reply.
 */
export function structuredOutputSchema(schema: z.ZodType): Record<string, unknown> {
  const cached = structured.get(schema);
  if (cached) return cached;
  const result = transformJSONSchema(toolInputSchema(schema));
  structured.set(schema, result);
  return result;
}

/**
 * The JSON value in a model's text: the whole text when it parses, else the last complete
 * top-level object in it (text before the JSON is possible on models that think or explain).
 */
export function extractJson(text: string): unknown {
  const trimmed = text.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    // fall through to scanning
  }
  let found: unknown;
  for (let start = trimmed.indexOf('{'); start >= 0; start = trimmed.indexOf('{', start + 1)) {
    const end = matchingBrace(trimmed, start);
    if (end < 0) continue;
    try {
      found = JSON.parse(trimmed.slice(start, end + 1));
      start = end;
    } catch {
      // not JSON from here; try the next brace
    }
  }
  if (found === undefined) throw new SyntaxError('the reply holds no JSON object');
  return found;
}

/** The index of the `}` closing the `{` at `start`, skipping strings; -1 when unclosed. */
function matchingBrace(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/**
 * Zod issues as one line a model (or a person reading run.json) can act on, in words rather
 * than a serialized validator error: "`summary` missing; `partition`: Invalid option: …".
 */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      if (issue.path.length === 0)
        return issue.code === 'invalid_type' ? 'not a JSON object' : issue.message;
      const path = `\`${issue.path.join('.')}\``;
      return missing ? `${path} missing` : `${path}: ${issue.message}`;
    })
    .join('; ');
}

/** A reply that failed its schema, as the sentence a failure reason carries. */
export const shapeProblem = (error: z.ZodError): string =>
  `the reply did not match the expected shape: ${describeIssues(error)}`;
