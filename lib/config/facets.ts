import { z } from 'zod';

/** Facets every run computes from the item itself, with no model: their names are taken. */
export const BUILTIN_FACETS = ['language', 'turns', 'length'] as const;
export type BuiltinFacet = (typeof BUILTIN_FACETS)[number];

/** Each facet is one more property of the summary tool call; past this the reply gets costly. */
export const MAX_FACETS = 10;

/** The keys of one facet, for unknown-key suggestions under `facets.<name>`. */
export const FACET_KEYS = ['question', 'type', 'values', 'min', 'max'] as const;

const FACET_NAME = /^[a-z][a-z0-9_]*$/;
const FACETS_EXPECTED = 'an object of {"name": {"question": "…", "type": "category" | "scale", …}}';
const QUESTION = 'a non-empty question string';
const VALUES = 'a list of at least two distinct non-empty strings';
const BOUND = 'an integer';

// Every key optional here and the rules in superRefine: the type decides which keys belong, and
// one pass reports every problem of a facet together, in the formatter's `got …, expected …`.
const facetSchema = z
  .strictObject(
    {
      question: z
        .string({ error: QUESTION })
        .refine((s) => s.trim() !== '', { error: QUESTION })
        .optional(),
      type: z.enum(['category', 'scale'], { error: 'one of "category", "scale"' }).optional(),
      values: z
        .array(z.string({ error: 'a non-empty string' }).trim().min(1, 'a non-empty string'), {
          error: VALUES,
        })
        .optional(),
      min: z.number({ error: BOUND }).int({ error: BOUND }).optional(),
      max: z.number({ error: BOUND }).int({ error: BOUND }).optional(),
    },
    { error: 'an object like {"question": "…", "type": "category"}' },
  )
  .superRefine((facet, ctx) => {
    const full = { full: true };
    if (facet.question === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['question'],
        message: `missing, expected ${QUESTION}`,
        params: full,
      });
    }
    if (facet.type === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['type'],
        params: full,
        message: 'missing, expected one of "category", "scale"',
      });
      return;
    }
    if (facet.type === 'category') {
      for (const key of ['min', 'max'] as const) {
        if (facet[key] !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [key],
            params: full,
            message: `only a "scale" facet has \`${key}\``,
          });
        }
      }
      const values = facet.values;
      if (values && (values.length < 2 || new Set(values).size !== values.length)) {
        ctx.addIssue({ code: 'custom', path: ['values'], message: VALUES });
      }
      return;
    }
    if (facet.values !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['values'],
        params: full,
        message: 'only a "category" facet has `values`',
      });
    }
    if (facet.min === undefined || facet.max === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [facet.min === undefined ? 'min' : 'max'],
        params: full,
        message: 'missing, expected an integer (a "scale" facet needs `min` and `max`)',
      });
    } else if (facet.min >= facet.max) {
      ctx.addIssue({
        code: 'custom',
        path: ['max'],
        params: full,
        message: `got ${facet.max} with \`min\` ${facet.min}, expected a \`max\` above \`min\``,
      });
    }
  })
  .transform(
    (facet): FacetSpec =>
      facet.type === 'scale'
        ? {
            question: facet.question ?? '',
            type: 'scale',
            min: facet.min ?? 0,
            max: facet.max ?? 0,
          }
        : {
            question: facet.question ?? '',
            type: 'category',
            ...(facet.values ? { values: facet.values } : {}),
          },
  );

/** A question facet the summary model answers for each item, as the config declares it. */
export type FacetSpec =
  | { readonly question: string; readonly type: 'category'; readonly values?: readonly string[] }
  | {
      readonly question: string;
      readonly type: 'scale';
      readonly min: number;
      readonly max: number;
    };

// Values are checked inside the refinement, not by the record: zod skips a record's refinements
// once a value failed, and a bad name should be reported beside a bad facet.
export const facetsSchema = z
  .record(z.string(), z.unknown(), { error: FACETS_EXPECTED })
  .superRefine((facets, ctx) => {
    const names = Object.keys(facets);
    for (const name of names) {
      if (!FACET_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          params: { full: true },
          message: `got the facet name ${JSON.stringify(name)}, expected an identifier (lower-case letters, digits and _, starting with a letter)`,
        });
      } else if ((BUILTIN_FACETS as readonly string[]).includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          params: { full: true },
          message: `${JSON.stringify(name)} is a built-in facet every run computes; choose another name`,
        });
      }
      const parsed = facetSchema.safeParse(facets[name]);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ ...issue, path: [name, ...issue.path] });
      }
    }
    if (names.length > MAX_FACETS) {
      ctx.addIssue({
        code: 'custom',
        params: { full: true },
        message: `got ${names.length} facets, expected at most ${MAX_FACETS} (each one lengthens every summary reply)`,
      });
    }
  })
  // Zod may run this after the refinement reported a bad facet; that facet is left out here
  // and the config is refused for it all the same.
  .transform(
    (facets): FacetSpecs =>
      Object.fromEntries(
        Object.entries(facets).flatMap(([name, raw]) => {
          const parsed = facetSchema.safeParse(raw);
          return parsed.success ? [[name, parsed.data]] : [];
        }),
      ),
  );

export type FacetSpecs = Readonly<Record<string, FacetSpec>>;
