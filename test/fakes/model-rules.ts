/**
 * What the Messages API refuses per model, as Anthropic's migration guides publish it (written
 * from the docs, not from lib/llm/models.ts, so the client's table is checked, not echoed):
 * - 5.x models: thinking budgets (`{type: "enabled"}`) and assistant prefill are 400s;
 * - Sonnet 5.5 and Opus 5.5: a forced `tool_choice` (`any` or a named tool) and
 *   `thinking: {type: "disabled"}` are 400s;
 * - `output_config.effort` only on models that take it (not Haiku 4.5 or older);
 * - structured outputs: the schema subset (every object `additionalProperties: false`; no
 *   length, number or item-count bounds; `minItems` 0 or 1); not on Bedrock for 5.x models,
 *   nor before the 4.5 models anywhere.
 * Sampling parameters are refused by the request schema of the current API version itself.
 */
type Body = Record<string, unknown>;

const GEN5 = /^claude-(?:haiku|sonnet|opus)-5(?:-\d+)?$/;
const NO_FORCED_TOOL = new Set(['claude-sonnet-5-5', 'claude-opus-5-5']);
const EFFORT = /^claude-(?:(?:haiku|sonnet|opus)-5(?:-\d+)?|opus-4-[5-9]|sonnet-4-6)$/;
const STRUCTURED =
  /^claude-(?:(?:haiku|sonnet|opus)-5(?:-\d+)?|haiku-4-5|sonnet-4-[56]|opus-4-[1-9])$/;
const STRUCTURED_ON_BEDROCK = /^claude-(?:haiku-4-5|sonnet-4-[56]|opus-4-[56])$/;
const UNSUPPORTED_KEYWORDS = [
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'maxItems',
  'uniqueItems',
];

/** The bare name of an API model id or a Bedrock model / inference-profile id. */
export const bareModel = (model: string) =>
  model
    .replace(/^(?:global|us|eu|apac|jp|au)\./, '')
    .replace(/^anthropic\./, '')
    .replace(/-v\d+(?::\d+)?$/, '')
    .replace(/-\d{8}$/, '');

/**
 * The shortest prefix each model caches (prompt-caching docs): shorter ones are silently not
 * cached, neither written nor read.
 */
export function minCacheableTokens(model: string): number {
  const name = bareModel(model);
  if (name === 'claude-sonnet-5') return 1024;
  if (GEN5.test(name)) return 512;
  if (/^claude-(?:haiku-4-5|opus-4-[56])$/.test(name)) return 4096;
  if (/^claude-(?:3-5-haiku|opus-4-7)$/.test(name)) return 2048;
  return 1024;
}

/** Models that think adaptively by default (their replies may open with a thinking block). */
export const thinksByDefault = (model: string) => GEN5.test(bareModel(model));

function schemaProblem(schema: unknown, path: string): string | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  const s = schema as Body;
  for (const key of UNSUPPORTED_KEYWORDS) {
    if (key in s) return `${path}: '${key}' is not supported in structured outputs`;
  }
  if (typeof s.minItems === 'number' && s.minItems > 1) {
    return `${path}: minItems must be 0 or 1`;
  }
  if (s.type === 'object' && s.additionalProperties !== false) {
    return `${path}: additionalProperties must be set to false for object types`;
  }
  for (const [key, value] of Object.entries((s.properties ?? {}) as Body)) {
    const problem = schemaProblem(value, `${path}.properties.${key}`);
    if (problem) return problem;
  }
  if (s.items) return schemaProblem(s.items, `${path}.items`);
  for (const [i, variant] of ((s.anyOf ?? []) as unknown[]).entries()) {
    const problem = schemaProblem(variant, `${path}.anyOf.${i}`);
    if (problem) return problem;
  }
  return undefined;
}

/** Why the API (or Bedrock) answers this body with 400 for its model, or undefined. */
export function modelRuleViolation(
  body: Body,
  model: string,
  route: 'messages' | 'bedrock' | 'batch',
): string | undefined {
  const name = bareModel(model);
  const gen5 = GEN5.test(name);
  // Every model's window is 200k tokens; counted here as three characters a token.
  const tokens = Math.ceil(JSON.stringify([body.system, body.tools, body.messages]).length / 3);
  if (tokens + Number(body.max_tokens ?? 0) > 200_000) {
    return `prompt is too long: ${tokens} tokens > ${200_000 - Number(body.max_tokens ?? 0)} maximum`;
  }
  const thinking = body.thinking as { type?: string } | undefined;
  if (gen5 && thinking?.type === 'enabled') {
    return `thinking.type.enabled: budget_tokens is not supported on ${name}; use thinking.type.adaptive with output_config.effort`;
  }
  if (NO_FORCED_TOOL.has(name) && thinking?.type === 'disabled') {
    return `thinking.type.disabled is not supported on ${name}`;
  }
  const choice = (body.tool_choice as { type?: string } | undefined)?.type;
  if (NO_FORCED_TOOL.has(name) && (choice === 'tool' || choice === 'any')) {
    return `tool_choice: forced tool use is not supported on ${name}`;
  }
  const turns = (body.messages ?? []) as { role?: string }[];
  if (gen5 && turns.at(-1)?.role === 'assistant') {
    return `messages: assistant message prefill is not supported on ${name}`;
  }
  const config = (body.output_config ?? {}) as { effort?: unknown; format?: { schema?: unknown } };
  if (config.effort !== undefined && !EFFORT.test(name)) {
    return `output_config.effort: not supported on ${name}`;
  }
  if (config.format) {
    const structured = route === 'bedrock' ? STRUCTURED_ON_BEDROCK : STRUCTURED;
    if (!structured.test(name)) {
      return `output_config.format: structured outputs are not supported on ${name}${route === 'bedrock' ? ' in Amazon Bedrock' : ''}`;
    }
    return schemaProblem(config.format.schema, 'output_config.format.schema');
  }
  return undefined;
}
