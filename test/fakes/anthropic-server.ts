import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { minCacheableTokens, modelRuleViolation, thinksByDefault } from './model-rules.js';
import { randomReply } from './schema-replies.js';

/**
 * A loopback stand-in for the Anthropic API (and Bedrock's invoke route) speaking the real wire
 * format: JSON bodies and headers as the SDKs send and expect them, real error bodies, JSONL batch
 * results. Faults are drawn from a hash of (seed, request content, how often that content was
 * seen), so a run's fate per item does not depend on arrival order.
 */

export type Fault = 'rate_limit' | 'overloaded' | 'api_error' | 'malformed' | 'drop' | 'refusal';
export type Outcome = 'ok' | Fault | 'throttled' | 'unauthorized' | 'invalid_request';

export interface FakeRequest {
  readonly route: 'messages' | 'bedrock' | 'batch';
  readonly model: string;
  readonly system: string;
  /** Text of the first user turn (the prompt the task rendered). */
  readonly user: string;
  /**
   * The task: the tool's name, or for structured outputs the name our tool for the same reply
   * shape would have (read from the schema's fields), so one answer function serves both.
   */
  readonly tool: string;
  /** The reply schema the request carried (`output_config.format.schema` or the tool's). */
  readonly schema: Record<string, unknown>;
  readonly structured: boolean;
  readonly body: Record<string, unknown>;
}

/** What the stand-in billed: every 200 message and every succeeded batch result. */
export interface Billed {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  requests: number;
}

export interface FakeAnthropicOptions {
  /**
   * The reply to send. Default `{summary: <first 80 chars of the user text>}`. `'random'`
   * answers every request with a random reply valid for the schema it carried, seeded by
   * `seed` and the request (see schema-replies.ts).
   */
  readonly answer?: ((request: FakeRequest) => unknown) | 'random';
  /** Fractions of message requests that fail each way. */
  readonly faults?: Partial<Record<Fault, number>>;
  /** Fractions of batch results that are errored, expired or malformed. */
  readonly batchFaults?: Partial<Record<'errored' | 'expired' | 'malformed', number>>;
  readonly seed?: number;
  /** Enforced like the API: a token bucket holding one second's worth, refilled continuously. */
  readonly requestsPerMinute?: number;
  /** `retry-after` seconds on injected 429s. Default 1. */
  readonly retryAfterSeconds?: number;
  /** Status checks before a batch reports `ended`. Default 1. */
  readonly pollsUntilEnded?: number;
  /** The only key accepted; default any non-empty key. */
  readonly apiKey?: string;
  /** Models the key may not use: 403 permission_error, as for a workspace without access. */
  readonly forbiddenModels?: readonly string[];
}

export interface ReceivedRequest {
  readonly route: 'messages' | 'bedrock';
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeAnthropic {
  readonly url: string;
  readonly counts: Record<Outcome, number>;
  /** Every request on the message routes, in order of arrival. */
  readonly received: ReceivedRequest[];
  readonly batchCreates: number;
  /** Calls to the free token-counting endpoint. */
  readonly countTokenCalls: number;
  readonly batches: Map<string, { polls: number; lines: string[] }>;
  /** Tokens and requests billed, counted here as the service would, not by the client. */
  readonly billed: Billed;
  /** Every billed reply's model and usage, so a test can price the bill itself. */
  readonly billedReplies: { model: string; batch: boolean; usage: Billed }[];
  close(): Promise<void>;
}

type Body = Record<string, unknown>;
type Turn = { role: string; content: unknown };
type Block = { type: string; id?: string; tool_use_id?: string; text?: string };

/** Our tasks' tool names by the fields of their reply, for structured-output requests. */
const TOOL_BY_FIELDS: Record<string, string> = {
  summary: 'record_summary',
  'partition,summary': 'record_summary',
  'facets,summary': 'record_summary',
  'facets,partition,summary': 'record_summary',
  'description,name': 'name_cluster',
  names: 'propose_categories',
  parent: 'assign_category',
  'partition,reason': 'choose_partition',
  'fits,reason': 'rate_cluster_fit',
  'facets,fits,reason': 'rate_cluster_fit',
  'also_fits,best,reason': 'pick_best_cluster',
  'distinct,reason': 'compare_clusters',
  choice: 'choose_cluster',
  'rating,reason,safeDescription,safeName': 'audit_cluster',
};

function toolFor(schema: Record<string, unknown>, user: string): string {
  const fields = Object.keys((schema.properties ?? {}) as object)
    .sort()
    .join(',');
  const tool = TOOL_BY_FIELDS[fields] ?? fields;
  if (tool === 'propose_categories' && user.startsWith('Candidate categories')) {
    return 'final_categories';
  }
  if (tool === 'name_cluster' && user.startsWith('Clusters in the category'))
    return 'name_category';
  return tool;
}

const PARAMS = new Set(
  'model max_tokens messages system tools tool_choice metadata stop_sequences stream thinking output_config service_tier cache_control container inference_geo anthropic_version'.split(
    ' ',
  ),
);
const OUTCOMES =
  'ok rate_limit overloaded api_error malformed drop refusal throttled unauthorized invalid_request'.split(
    ' ',
  );
const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};
// Each failure as the API says it, and as Bedrock does (a bare message, the kind in a header).
const FAILURES: Record<string, { api: [number, string]; aws: [number, string, string] }> = {
  rate_limit: {
    api: [429, 'Number of request tokens has exceeded your per-minute rate limit'],
    aws: [429, 'ThrottlingException', 'Too many requests, please wait before trying again.'],
  },
  overloaded: {
    api: [529, 'Overloaded'],
    aws: [503, 'ServiceUnavailableException', 'Bedrock is unable to process your request.'],
  },
  api_error: {
    api: [500, 'Internal server error'],
    aws: [500, 'InternalServerException', 'The system encountered an unexpected error.'],
  },
};

/**
 * Tokens of a text as this stand-in's tokenizer counts them: a quarter of its characters, and
 * 30 % more on the 5.x models' newer tokenizer.
 */
const tokensFor = (model: string, text: string) =>
  Math.ceil((text.length / 4) * (thinksByDefault(model) ? 1.3 : 1));
const unit = (...parts: unknown[]) =>
  createHash('sha256').update(JSON.stringify(parts)).digest().readUInt32BE(0) / 2 ** 32;
const textOf = (content: unknown): string =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? (content as Block[]).map((b) => (b.type === 'text' ? b.text : '')).join('')
      : '';

const blockTexts = (blocks: unknown): string[] =>
  Array.isArray(blocks) ? (blocks as Block[]).map((b) => b.text ?? '') : [String(blocks ?? '')];

/** The prompt's tokens as this stand-in bills them. */
const promptTokens = (body: Body, model: string) =>
  tokensFor(
    model,
    JSON.stringify([
      blockTexts(body.system),
      body.tools,
      body.output_config,
      (body.messages as Turn[]).map((t) => blockTexts(t.content)),
    ]),
  );

/**
 * The text up to the last cache breakpoint (on a system block, or on a block of the first user
 * turn), or undefined when nothing is marked.
 */
function cachePrefix(body: Body): string | undefined {
  const system = (Array.isArray(body.system) ? body.system : []) as (Block & {
    cache_control?: unknown;
  })[];
  const first = (body.messages as Turn[])[0]?.content;
  const blocks = (Array.isArray(first) ? first : []) as (Block & { cache_control?: unknown })[];
  const marked = blocks.findLastIndex((b) => b.cache_control);
  const stable = [blockTexts(system), body.tools, body.output_config];
  if (marked >= 0) return JSON.stringify([...stable, blockTexts(blocks.slice(0, marked + 1))]);
  if (system.some((b) => b.cache_control)) return JSON.stringify(stable);
  return undefined;
}

/** Why the API would refuse a Messages body with 400, or undefined when it is valid. */
function invalidReason(body: Body, needModel: boolean): string | undefined {
  const extra = Object.keys(body).find((k) => !PARAMS.has(k));
  if (extra) return `${extra}: Extra inputs are not permitted`;
  if (needModel && (typeof body.model !== 'string' || !body.model)) return 'model: Field required';
  if (!Number.isInteger(body.max_tokens) || Number(body.max_tokens) < 1)
    return 'max_tokens: invalid';
  const turns = body.messages as Turn[] | undefined;
  if (!Array.isArray(turns) || turns[0]?.role !== 'user')
    return 'messages: must start with a user turn';
  const tools = (body.tools ?? []) as { name?: string; input_schema?: { type?: string } }[];
  if (tools.some((t) => !t.name || t.input_schema?.type !== 'object')) {
    return 'tools: input_schema.type must be "object"';
  }
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  if (choice?.type === 'tool' && !tools.some((t) => t.name === choice.name)) {
    return `tool_choice: no tool named ${choice.name}`;
  }
  // A tool_result must answer a tool_use of the assistant turn just before it.
  for (const [i, turn] of turns.entries()) {
    const before = turns[i - 1]?.content;
    const asked = Array.isArray(before) ? (before as Block[]).map((b) => b.id) : [];
    const answers = Array.isArray(turn.content) ? (turn.content as Block[]) : [];
    const orphan = answers.find((b) => b.type === 'tool_result' && !asked.includes(b.tool_use_id));
    if (orphan) return `messages.${i}: tool_result without a matching tool_use`;
  }
  return undefined;
}

export async function startFakeAnthropic(
  options: FakeAnthropicOptions = {},
): Promise<FakeAnthropic> {
  const counts = Object.fromEntries(OUTCOMES.map((k) => [k, 0])) as Record<Outcome, number>;
  const received: ReceivedRequest[] = [];
  const seen = new Map<string, number>();
  const cachedPrefixes = new Set<string>();
  const batches = new Map<string, { polls: number; lines: string[] }>();
  const seed = options.seed ?? 1;
  const billedReplies: FakeAnthropic['billedReplies'] = [];
  const billed: Billed = {
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    requests: 0,
  };
  const scripted =
    typeof options.answer === 'function'
      ? options.answer
      : (r: FakeRequest) => ({ summary: r.user.slice(0, 80) || '-' });
  // A random reply depends on the request and how often it was seen, not on arrival order.
  const answer = (r: FakeRequest, key: string): unknown =>
    options.answer === 'random'
      ? randomReply(r.schema, Math.floor(unit(seed, 'reply', key) * 2 ** 31))
      : scripted(r);
  let batchCreates = 0;
  let countTokenCalls = 0;
  let ids = 0;
  let url = '';

  const rpm = options.requestsPerMinute ?? 0;
  const capacity = Math.max(1, rpm / 60);
  let level = capacity;
  let refilledAt = performance.now();
  /** Milliseconds until a request is allowed; 0 when one is, and it is taken. */
  const throttle = (): number => {
    if (!rpm) return 0;
    const now = performance.now();
    level = Math.min(capacity, level + ((now - refilledAt) * rpm) / 60_000);
    refilledAt = now;
    if (level < 1) return ((1 - level) * 60_000) / rpm;
    level -= 1;
    return 0;
  };

  const describe = (route: FakeRequest['route'], body: Body, model: string): FakeRequest => {
    const system = typeof body.system === 'string' ? body.system : textOf(body.system);
    const user = textOf((body.messages as Turn[])[0]?.content);
    const format = (body.output_config as { format?: { schema?: Body } } | undefined)?.format;
    const tools = (body.tools ?? []) as { name: string; input_schema: Body }[];
    const forced = (body.tool_choice as { name?: string } | undefined)?.name;
    const tool = tools.find((t) => t.name === forced) ?? tools[0];
    const schema = format?.schema ?? tool?.input_schema ?? {};
    return {
      route,
      model,
      system,
      user,
      tool: format ? toolFor(schema, user) : (tool?.name ?? ''),
      schema,
      structured: format !== undefined,
      body,
    };
  };

  /**
   * A 200 reply carrying `input` as the task's answer: a JSON text block under structured
   * outputs (after a thinking block on models that think by default, when `u` says so), else a
   * tool call. Every such reply is billed.
   */
  const message = (request: FakeRequest, input: unknown, u = 0, refused = false) => {
    const { body } = request;
    const prefix = cachePrefix(body);
    const prefixTokens =
      prefix !== undefined && tokensFor(request.model, prefix) >= minCacheableTokens(request.model)
        ? tokensFor(request.model, prefix)
        : 0;
    const prefixKey = `${request.model}\n${prefix}`;
    const hit = prefixTokens > 0 && cachedPrefixes.has(prefixKey);
    if (prefixTokens > 0) cachedPrefixes.add(prefixKey);
    const id = ++ids;
    const thinking =
      thinksByDefault(request.model) && body.tool_choice === undefined && u < 0.5
        ? [{ type: 'thinking', thinking: '', signature: `sig_fake_${id}` }]
        : [];
    const answerBlock = request.structured
      ? { type: 'text', text: JSON.stringify(input), citations: null }
      : {
          type: 'tool_use',
          id: `toolu_fake_${id}`,
          name: request.tool,
          input,
          caller: { type: 'direct' },
        };
    const content = refused ? thinking : [...thinking, answerBlock];
    const usage = {
      input_tokens: Math.max(1, promptTokens(body, request.model) - prefixTokens),
      output_tokens:
        (refused ? 3 : tokensFor(request.model, JSON.stringify(input))) + 8 + thinking.length * 40,
      cache_creation_input_tokens: prefixTokens > 0 && !hit ? prefixTokens : 0,
      cache_read_input_tokens: hit ? prefixTokens : 0,
      cache_creation: null,
      inference_geo: null,
      output_tokens_details: null,
      server_tool_use: null,
      service_tier: request.route === 'batch' ? 'batch' : 'standard',
      speed: null,
    };
    billed.inputTokens += usage.input_tokens;
    billed.outputTokens += usage.output_tokens;
    billed.cacheWriteTokens += usage.cache_creation_input_tokens;
    billed.cacheReadTokens += usage.cache_read_input_tokens;
    billed.requests++;
    billedReplies.push({
      model: request.model,
      batch: request.route === 'batch',
      usage: {
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        cacheReadTokens: usage.cache_read_input_tokens,
        cacheWriteTokens: usage.cache_creation_input_tokens,
        requests: 1,
      },
    });
    return {
      id: `msg_fake_${id}`,
      type: 'message',
      role: 'assistant',
      model: request.model,
      content,
      stop_reason: refused ? 'refusal' : request.structured ? 'end_turn' : 'tool_use',
      stop_sequence: null,
      stop_details: refused
        ? { type: 'refusal', category: 'cyber', explanation: 'The request was declined.' }
        : null,
      container: null,
      diagnostics: null,
      usage,
    };
  };

  const send = (res: ServerResponse, status: number, body: unknown, extra = {}) => {
    const headers = { 'content-type': 'application/json', 'request-id': `req_fake_${++ids}` };
    res.writeHead(status, { ...headers, ...extra });
    res.end(JSON.stringify(body));
  };
  const apiError = (res: ServerResponse, status: number, text: string, extra = {}) => {
    const error = { type: ERROR_TYPES[status] ?? 'api_error', message: text };
    send(res, status, { type: 'error', error, request_id: null }, extra);
  };
  const awsError = (res: ServerResponse, [status, kind, text]: [number, string, string]) =>
    send(
      res,
      status,
      { message: text },
      { 'x-amzn-errortype': `${kind}:http://internal.amazon.com/coral/com.amazon.bedrock/` },
    );

  const pickFault = (key: string): Fault | undefined => {
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    let u = unit(seed, key, n);
    for (const [fault, share] of Object.entries(options.faults ?? {}) as [Fault, number][]) {
      if (u < share) return fault;
      u -= share;
    }
    return undefined;
  };

  const onMessage = (
    req: IncomingMessage,
    res: ServerResponse,
    body: Body,
    route: 'messages' | 'bedrock',
    model: string,
  ) => {
    received.push({ route, headers: req.headers, body });
    const bedrock = route === 'bedrock';
    const invalid = invalidReason(body, !bedrock) ?? modelRuleViolation(body, model, route);
    if (invalid) {
      counts.invalid_request++;
      return apiError(res, 400, invalid);
    }
    if (options.forbiddenModels?.includes(model)) {
      counts.unauthorized++;
      return apiError(res, 403, `Your API key does not have permission to use ${model}`);
    }
    const wait = throttle();
    if (wait > 0) {
      counts.throttled++;
      if (bedrock) return awsError(res, FAILURES.rate_limit?.aws ?? [429, '', '']);
      const retryAfter = { 'retry-after': String(Math.ceil(wait / 1000)) };
      return apiError(
        res,
        429,
        'Number of requests has exceeded your per-minute rate limit',
        retryAfter,
      );
    }
    const request = describe(route, body, model);
    // Keyed on the prompt and turn count, not the whole body: tool_use ids vary with arrival order.
    const key = JSON.stringify([route, request.user, (body.messages as Turn[]).length]);
    const fault = pickFault(key);
    const u = unit(seed, 'shape', key, seen.get(key));
    counts[fault ?? 'ok']++;
    if (fault === 'drop') return req.socket.destroy();
    if (fault === 'malformed') return send(res, 200, message(request, { unexpected: true }, u));
    if (fault === 'refusal') return send(res, 200, message(request, {}, u, true));
    const failure = fault && FAILURES[fault];
    if (!failure) {
      return send(res, 200, message(request, answer(request, `${key}#${seen.get(key)}`), u));
    }
    if (bedrock) return awsError(res, failure.aws);
    const [status, text] = failure.api;
    apiError(
      res,
      status,
      text,
      status === 429 ? { 'retry-after': String(options.retryAfterSeconds ?? 1) } : {},
    );
  };

  const createBatch = (res: ServerResponse, body: Body) => {
    const requests = body.requests as { custom_id: string; params?: Body }[] | undefined;
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > 100_000) {
      return apiError(res, 400, 'requests: 1 to 100,000 requests');
    }
    if (new Set(requests.map((r) => r.custom_id)).size !== requests.length) {
      return apiError(res, 400, 'requests: custom_id values must be unique');
    }
    if (requests.some((r) => !/^[a-zA-Z0-9_-]{1,64}$/.test(String(r.custom_id)))) {
      return apiError(res, 400, 'requests: custom_id must match ^[a-zA-Z0-9_-]{1,64}$');
    }
    const { errored = 0, expired = 0, malformed = 0 } = options.batchFaults ?? {};
    const fail = (type: string, text: string) => ({
      type: 'errored',
      error: { type: 'error', error: { type, message: text }, request_id: null },
    });
    const lines = requests.map(({ custom_id, params = {} }) => {
      const u = unit(seed, 'batch', custom_id);
      const invalid =
        invalidReason(params, true) ?? modelRuleViolation(params, String(params.model), 'batch');
      const request = invalid ? undefined : describe('batch', params, String(params.model));
      let result: unknown;
      if (!request) result = fail('invalid_request_error', invalid ?? '');
      else if (u < errored) result = fail('api_error', 'Internal server error');
      else if (u < errored + expired) result = { type: 'expired' };
      else if (u < errored + expired + malformed) {
        result = { type: 'succeeded', message: message(request, { unexpected: true }) };
      } else {
        const reply = answer(request, `batch#${custom_id}`);
        result = { type: 'succeeded', message: message(request, reply, u) };
      }
      return JSON.stringify({ custom_id, result });
    });
    const id = `msgbatch_fake_${++batchCreates}`;
    batches.set(id, { polls: 0, lines });
    send(res, 200, batchObject(id));
  };

  const batchObject = (id: string) => {
    const batch = batches.get(id);
    const ended = batch !== undefined && batch.polls >= (options.pollsUntilEnded ?? 1);
    const types = (batch?.lines ?? []).map((l) => JSON.parse(l).result.type as string);
    const count = (t: string) => (ended ? types.filter((x) => x === t).length : 0);
    const now = new Date().toISOString();
    return {
      id,
      type: 'message_batch',
      processing_status: ended ? 'ended' : 'in_progress',
      request_counts: {
        processing: ended ? 0 : types.length,
        succeeded: count('succeeded'),
        errored: count('errored'),
        canceled: 0,
        expired: count('expired'),
      },
      created_at: now,
      expires_at: new Date(Date.now() + 86_400_000).toISOString(),
      ended_at: ended ? now : null,
      archived_at: null,
      cancel_initiated_at: null,
      results_url: ended ? `${url}/v1/messages/batches/${id}/results` : null,
    };
  };

  const route = (req: IncomingMessage, res: ServerResponse, path: string, body: Body) => {
    const invoke = /^\/model\/([^/]+)\/invoke$/.exec(path);
    if (invoke && req.method === 'POST') {
      const auth = String(req.headers.authorization);
      if (
        !/^AWS4-HMAC-SHA256 Credential=\S+\/bedrock\/aws4_request, SignedHeaders=\S+, Signature=[0-9a-f]{64}$/.test(
          auth,
        ) ||
        !req.headers['x-amz-date']
      ) {
        counts.unauthorized++;
        return awsError(res, [
          403,
          'UnrecognizedClientException',
          'The security token included in the request is invalid.',
        ]);
      }
      if ('model' in body || typeof body.anthropic_version !== 'string') {
        return awsError(res, [400, 'ValidationException', 'Malformed input request']);
      }
      return onMessage(req, res, body, 'bedrock', decodeURIComponent(invoke[1] ?? ''));
    }
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization))?.[1];
    const key = req.headers['x-api-key'] ?? bearer;
    if (!key || (options.apiKey !== undefined && key !== options.apiKey)) {
      counts.unauthorized++;
      return apiError(res, 401, 'invalid x-api-key');
    }
    if (!req.headers['anthropic-version'])
      return apiError(res, 400, 'anthropic-version: header is required');
    if (path === '/v1/messages' && req.method === 'POST') {
      return onMessage(req, res, body, 'messages', String(body.model));
    }
    if (path === '/v1/messages/count_tokens' && req.method === 'POST') {
      countTokenCalls++;
      if ('max_tokens' in body)
        return apiError(res, 400, 'max_tokens: Extra inputs are not permitted');
      const invalid = modelRuleViolation(body, String(body.model), 'messages');
      if (invalid) return apiError(res, 400, invalid);
      // Free: counted here, never billed.
      return send(res, 200, { input_tokens: promptTokens(body, String(body.model)) });
    }
    if (path === '/v1/messages/batches' && req.method === 'POST') return createBatch(res, body);
    const [, id = '', results] = /^\/v1\/messages\/batches\/([^/]+)(\/results)?$/.exec(path) ?? [];
    const batch = req.method === 'GET' ? batches.get(id) : undefined;
    if (!batch) return apiError(res, 404, `${path} not found`);
    if (!results) {
      batch.polls++;
      return send(res, 200, batchObject(id));
    }
    res.writeHead(200, { 'content-type': 'application/binary' });
    res.end(`${batch.lines.join('\n')}\n`);
  };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: Body;
    try {
      body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
    } catch {
      return apiError(res, 400, 'the request body is not valid JSON');
    }
    route(req, res, new URL(req.url ?? '/', 'http://x').pathname, body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    counts,
    received,
    batches,
    billed,
    billedReplies,
    get batchCreates() {
      return batchCreates;
    },
    get countTokenCalls() {
      return countTokenCalls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
