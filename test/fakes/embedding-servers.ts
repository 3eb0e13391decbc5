/**
 * Loopback stand-ins for the embedding services, speaking their wire formats: Bedrock runtime
 * InvokeModel (HTTP/2 as the SDK speaks it, SigV4 checked against the test secret, restJson1
 * errors) and Voyage's and OpenAI's `POST /v1/embeddings`. Vectors are a hashed bag of words,
 * so texts sharing words are similar. Each server enforces its service's limits, records
 * requests, and answers queued faults first.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createH2cServer, type Http2Session } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

/** The only key the fakes accept; deliberately not shaped like any real key. */
export const TEST_KEY = 'test-key-not-real';
export const TEST_AWS = {
  accessKeyId: 'test-access-key-id-not-real',
  secretAccessKey: 'test-key-not-real',
  region: 'us-east-1',
} as const;

export interface Fault {
  readonly status: number;
  /** Sent as the `retry-after` header (seconds). */
  readonly retryAfter?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
}

/** What the handlers need of an HTTP/1.1 or HTTP/2 request. */
interface Incoming extends AsyncIterable<unknown> {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

interface Outgoing {
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(body: string): unknown;
}

export interface FakeServer {
  /** Base URL (`http://127.0.0.1:port`), for `base_url` or the SDK's `endpoint`. */
  readonly url: string;
  /** Every request received, failed ones included. */
  readonly requests: RecordedRequest[];
  /** Each queued fault answers one request, in order, before normal service resumes. */
  readonly faults: Fault[];
  /** Most requests handled at the same time. */
  readonly maxInFlight: number;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Per-request limits, lower than the service's own to exercise splitting. */
  readonly maxInputs?: number;
  readonly maxTokens?: number;
  /** Status for a request over the limits: the services say 400; proxies often say 413. */
  readonly limitStatus?: number;
  /** Delay before each answer, so concurrency is observable. */
  readonly latencyMs?: number;
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Record<string, string>;
}

type Handler = (req: Incoming, raw: Buffer, body: unknown) => Reply;

/** The fakes' tokenizer: about 4 bytes a token, like BPE on English. */
export function fakeTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/** Hashed bag of words, unit length: texts that share words have a high cosine similarity. */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const v: number[] = Array.from({ length: dimensions }, () => 0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [text];
  for (const word of words) {
    const h = createHash('sha1').update(word).digest().readUInt32LE(0);
    v[h % dimensions] = (v[h % dimensions] ?? 0) + (h & 0x10000 ? 1 : -1);
  }
  // Colliding words can cancel out; a real model never returns a zero vector.
  if (Math.hypot(...v) === 0) v[0] = 1;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** The service's error reply for a status and message. */
type ErrorReply = (status: number, message: string) => Reply;

async function serve(
  handler: Handler,
  error: ErrorReply,
  options: { latencyMs?: number | undefined; h2c?: boolean } = {},
) {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const faultReply = (fault: Fault): Reply => {
    const reply = error(
      fault.status,
      fault.status === 429 ? 'Rate limit exceeded' : 'Server error',
    );
    const retryAfter: Record<string, string> =
      fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
    return { ...reply, headers: { ...reply.headers, ...retryAfter } };
  };
  const onRequest = async (req: Incoming, res: Outgoing) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    const fault = faults.shift();
    const reply = fault ? faultReply(fault) : handler(req, raw, body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
    inFlight--;
  };
  // Bedrock's SDK speaks HTTP/2 (cleartext to an http:// endpoint); the others HTTP/1.1.
  const open = new Set<Http2Session | Socket>();
  const track = (s: Http2Session | Socket) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  };
  const server = options.h2c
    ? createH2cServer(onRequest).on('session', track)
    : createServer(onRequest).on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    faults,
    get maxInFlight() {
      return maxInFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  } satisfies FakeServer;
}

interface JsonApi {
  readonly error: ErrorReply;
  /** Output size for a request, or an error message. */
  readonly dimensions: (body: Record<string, unknown>) => number | string;
  readonly maxInputs: number;
  readonly maxTokens: number;
  readonly maxInputTokens: number;
}

/**
 * The OpenAI/Voyage exchange: bearer auth, `{input, model}`, limits, and data returned in
 * reverse order so that clients must sort by `index`. A refused key is echoed in the message,
 * as a careless server might, to prove clients keep it out of their errors.
 */
function jsonEmbeddingsHandler(api: JsonApi, options: FakeOptions): Handler {
  const maxInputs = options.maxInputs ?? api.maxInputs;
  const maxTokens = options.maxTokens ?? api.maxTokens;
  const limitStatus = options.limitStatus ?? 400;
  const fail = api.error;
  return (req, _raw, body) => {
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      return fail(404, `Invalid URL (${req.method} ${req.url})`);
    }
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${TEST_KEY}`) return fail(401, `Incorrect API key provided: ${auth}`);
    const b = (body ?? {}) as Record<string, unknown>;
    const input = typeof b.input === 'string' ? [b.input] : b.input;
    if (!Array.isArray(input) || input.some((t) => typeof t !== 'string' || t === '')) {
      return fail(400, "'input' must be a non-empty string or an array of non-empty strings");
    }
    if (typeof b.model !== 'string') return fail(400, "'model' is required");
    if (input.length > maxInputs) {
      return fail(limitStatus, `Too many inputs: ${input.length} > ${maxInputs} per request`);
    }
    const tokens = input.map((t: string) => fakeTokens(t));
    if (tokens.some((t) => t > api.maxInputTokens)) {
      return fail(400, `An input is longer than ${api.maxInputTokens} tokens`);
    }
    const total = tokens.reduce((s, t) => s + t, 0);
    if (total > maxTokens) {
      return fail(limitStatus, `Requested ${total} tokens, max ${maxTokens} tokens per request`);
    }
    const dimensions = api.dimensions(b);
    if (typeof dimensions === 'string') return fail(400, dimensions);
    const data = input
      .map((text: string, index) => ({
        object: 'embedding',
        embedding: fakeEmbedding(text, dimensions),
        index,
      }))
      .reverse();
    return {
      status: 200,
      body: { object: 'list', data, model: b.model, usage: { total_tokens: total } },
    };
  };
}

const OPENAI_NATIVE: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

export function startOpenAiServer(options: FakeOptions = {}): Promise<FakeServer> {
  const error: ErrorReply = (status, message) => ({
    status,
    body: {
      error: {
        message,
        type:
          status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error',
        param: null,
        code: status === 401 ? 'invalid_api_key' : null,
      },
    },
  });
  const dimensions = (b: Record<string, unknown>) => {
    const model = b.model as string;
    const native = OPENAI_NATIVE[model] ?? 64;
    const d = b.dimensions;
    if (d === undefined) return native;
    if (!model.startsWith('text-embedding-3')) return 'This model does not support dimensions';
    const ok = Number.isInteger(d) && (d as number) > 0 && (d as number) <= native;
    return ok ? (d as number) : `Invalid 'dimensions': ${String(d)}`;
  };
  const api = { error, dimensions, maxInputs: 2048, maxTokens: 300_000, maxInputTokens: 8192 };
  return serve(jsonEmbeddingsHandler(api, options), error, options);
}

export function startVoyageServer(options: FakeOptions = {}): Promise<FakeServer> {
  const error: ErrorReply = (status, message) => ({ status, body: { detail: message } });
  const dimensions = (b: Record<string, unknown>) => {
    if (![undefined, null, 'query', 'document'].includes(b.input_type as string)) {
      return `input_type must be null, 'query' or 'document'`;
    }
    const d = b.output_dimension ?? 1024;
    const ok = [256, 512, 1024, 2048].includes(d as number);
    return ok ? (d as number) : `output_dimension ${String(d)} is not supported`;
  };
  const api = { error, dimensions, maxInputs: 1000, maxTokens: 120_000, maxInputTokens: 32_000 };
  return serve(jsonEmbeddingsHandler(api, options), error, options);
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) =>
  createHmac('sha256', key).update(data).digest();

/** Checks an AWS Signature V4 against the test secret; returns what is wrong, if anything. */
function sigV4Problem(req: Incoming, raw: Buffer): string | undefined {
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    );
  if (!match) return 'Missing or malformed SigV4 Authorization header';
  const [, keyId, date, region, service, signedHeaders = '', signature] = match;
  if (keyId !== TEST_AWS.accessKeyId)
    return 'The security token included in the request is invalid.';
  if (region !== TEST_AWS.region || service !== 'bedrock') {
    return `Credential should be scoped to ${TEST_AWS.region}/bedrock, not ${region}/${service}`;
  }
  const [path = '', query = ''] = (req.url ?? '').split('?');
  // Non-S3 services sign the already-encoded path encoded once more (slashes kept).
  const canonicalPath = encodeURIComponent(path)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [
    req.method,
    canonicalPath,
    query.split('&').filter(Boolean).sort().join('&'),
    canonicalHeaders,
    signedHeaders,
    sha256(raw),
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', req.headers['x-amz-date'], scope, sha256(canonical)].join(
    '\n',
  );
  let key = hmac(`AWS4${TEST_AWS.secretAccessKey}`, date ?? '');
  for (const part of [region ?? '', service, 'aws4_request']) key = hmac(key, part);
  if (hmac(key, toSign).toString('hex') !== signature) {
    return 'The request signature we calculated does not match the signature you provided.';
  }
  return undefined;
}

const TITAN_MODELS = new Set(['amazon.titan-embed-text-v2:0']);

const BEDROCK_ERRORS: Record<number, string> = {
  400: 'ValidationException',
  403: 'InvalidSignatureException',
  404: 'UnknownOperationException',
  429: 'ThrottlingException',
};

/** Bedrock runtime's InvokeModel for Titan Text Embeddings v2, errors as restJson1 sends them. */
export function startBedrockServer(options: FakeOptions = {}): Promise<FakeServer> {
  const maxTokens = options.maxTokens ?? 8192;
  const error: ErrorReply = (status, message) => {
    const type = BEDROCK_ERRORS[status] ?? 'InternalServerException';
    const errorType = `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`;
    return { status, body: { message }, headers: { 'x-amzn-errortype': errorType } };
  };
  const handler: Handler = (req, raw, body) => {
    const route = /^\/model\/([^/]+)\/invoke$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !route) return error(404, `No route for ${req.url}`);
    const problem = sigV4Problem(req, raw);
    if (problem) return error(403, problem);
    if (!TITAN_MODELS.has(decodeURIComponent(route[1] ?? ''))) {
      return error(400, 'The provided model identifier is invalid.');
    }
    const b = (body ?? {}) as { inputText?: unknown; dimensions?: unknown };
    const text = b.inputText;
    if (typeof text !== 'string' || text.length === 0 || text.length > 50_000) {
      return error(400, 'Malformed input request: inputText');
    }
    const tokens = fakeTokens(text);
    if (tokens > maxTokens) return error(400, `Too many input tokens. Max: ${maxTokens}`);
    const dimensions = b.dimensions ?? 1024;
    if (![256, 512, 1024].includes(dimensions as number)) {
      return error(400, 'Malformed input request: dimensions');
    }
    const embedding = fakeEmbedding(text, dimensions as number);
    return {
      status: 200,
      body: { embedding, embeddingsByType: { float: embedding }, inputTextTokenCount: tokens },
    };
  };
  return serve(handler, error, { ...options, h2c: true });
}
