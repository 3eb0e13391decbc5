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

/** Zod issues as one line a model (or a person reading run.json) can act on. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
