import fc from 'fast-check';

/**
 * Random replies that are valid for a JSON Schema, as a model under constrained decoding (or a
 * careless one calling a tool) may legally send them: optional properties present or absent,
 * every enum value, strings empty, blank, Unicode or thousands of characters long, arrays at their
 * bounds and with duplicates. Built from fast-check's arbitraries, seeded, so a failing seed
 * replays exactly. Only the keywords our request schemas use are understood; anything else fails
 * loudly rather than producing a reply the schema forbids.
 */
type Schema = Record<string, unknown>;

const KNOWN = new Set(
  'type properties required additionalProperties items minItems maxItems enum const anyOf description title minLength maxLength minimum maximum default $schema'.split(
    ' ',
  ),
);

function stringArbitrary(schema: Schema): fc.Arbitrary<string> {
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = schema.maxLength as number | undefined;
  const fits = (s: string) =>
    s.length >= minLength && (maxLength === undefined || s.length <= maxLength);
  return fc
    .oneof(
      {
        weight: 6,
        arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: maxLength ?? 60 }),
      },
      { weight: 4, arbitrary: fc.lorem({ maxCount: 12 }) },
      { weight: 1, arbitrary: fc.constantFrom('', ' ', '\n\t ', '\u200b') },
      {
        weight: 1,
        arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 2500, maxLength: 6000 }),
      },
    )
    .filter(fits);
}

export function arbitraryFor(schema: Schema): fc.Arbitrary<unknown> {
  for (const key of Object.keys(schema)) {
    if (!KNOWN.has(key)) throw new Error(`schema-replies: unsupported keyword ${key}`);
  }
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (Array.isArray(schema.anyOf)) return fc.oneof(...(schema.anyOf as Schema[]).map(arbitraryFor));
  switch (schema.type) {
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const shape = Object.fromEntries(
        Object.entries(properties).map(([key, value]) => [key, arbitraryFor(value)]),
      );
      return fc.record(shape, { requiredKeys: (schema.required ?? []) as string[] });
    }
    case 'array': {
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = (schema.maxItems as number | undefined) ?? minLength + 12;
      const items = arbitraryFor((schema.items ?? {}) as Schema);
      return fc.oneof(
        fc.array(items, { minLength, maxLength }),
        // Duplicates on purpose: nothing in the schema forbids them.
        fc
          .array(items, { minLength: Math.max(1, minLength), maxLength: Math.max(1, maxLength) })
          .map((xs) => (xs.length > 1 || maxLength < 2 ? xs : [...xs, ...xs])),
      );
    }
    case 'string':
      return stringArbitrary(schema);
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number | undefined) ?? -1000,
        max: (schema.maximum as number | undefined) ?? 1000,
      });
    case 'number':
      return fc.double({
        min: (schema.minimum as number | undefined) ?? -1e6,
        max: (schema.maximum as number | undefined) ?? 1e6,
        noNaN: true,
      });
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      throw new Error(`schema-replies: unsupported type ${JSON.stringify(schema.type)}`);
  }
}

/** One reply for `schema`, the same for the same seed. */
export function randomReply(schema: Schema, seed: number): unknown {
  const [value] = fc.sample(arbitraryFor(schema), { seed, numRuns: 1 });
  return value;
}
