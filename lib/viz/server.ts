import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Store } from '../store/types.js';
import { comparisonCache } from './compare.js';
import { VIZ_FORMAT, type VizRuns, vizPaths } from './format.js';
import { loadVizData, type VizData, vizFile } from './prepare.js';
import type { RunLocation } from './runs.js';
import { vizTrends } from './trends.js';

export interface VizServerOptions {
  readonly runs: readonly RunLocation[];
  /** The built explorer (`viewer/dist`). */
  readonly distDir: string;
  /** 0 (the default) lets the system pick a free port. */
  readonly port?: number;
  readonly host?: string;
  /** The save_path whose kept runs `trends.json` shows; without one there is no such file. */
  readonly history?: Store;
}

export interface VizServer {
  readonly url: string;
  /** Prepares a run ahead of the first request, so the first page load does not wait. */
  warm(key: string): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.bin': 'application/octet-stream',
};

/** Everything from data is untrusted text: even if a bug rendered it as HTML, nothing runs. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Bodies smaller than this gain less from compression than the header costs. */
const COMPRESS_FROM_BYTES = 1024;
/** Images are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.json', '.svg', '.bin', '.txt']);
const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

export type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding an `Accept-Encoding` header allows: brotli, then gzip, else none. */
export function pickEncoding(header: string | undefined): Encoding {
  const allowed = new Map<string, number>();
  for (const part of (header ?? '').toLowerCase().split(',')) {
    const [name = '', ...params] = part.trim().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
    allowed.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const ok = (name: string) => (allowed.get(name) ?? allowed.get('*') ?? 0) > 0;
  return ok('br') ? 'br' : ok('gzip') ? 'gzip' : 'identity';
}

/**
 * The body in `encoding`. Static files are compressed once, hard (they never change while the
 * server runs); run data per request at a brotli level that keeps a chunk's turn under a few ms.
 */
async function encode(
  body: string | Uint8Array,
  encoding: Exclude<Encoding, 'identity'>,
  hard: boolean,
): Promise<Buffer> {
  if (encoding === 'gzip') return gzipped(body, { level: hard ? 9 : 6 });
  return brotli(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: hard ? 11 : 5 },
  });
}

/** Prepared runs kept in memory; a 100k-item run takes a few hundred MB, so only a few. */
const KEPT_RUNS = 3;

/**
 * Serves the built explorer and the runs' data (prepared from `hierarchy.json` on first use)
 * on localhost. Read-only, GET and HEAD only, nothing outside the bundle folder.
 */
export async function startVizServer(options: VizServerOptions): Promise<VizServer> {
  const runs = new Map(options.runs.map((run) => [run.key, run]));
  const prepared = new Map<string, Promise<VizData>>();
  const prepare = (key: string): Promise<VizData> | undefined => {
    const run = runs.get(key);
    if (!run) return undefined;
    let data = prepared.get(key);
    if (!data) {
      data = loadVizData(run.file);
      data.catch(() => prepared.delete(key));
      prepared.set(key, data);
      for (const old of prepared.keys()) if (prepared.size > KEPT_RUNS) prepared.delete(old);
    }
    return data;
  };
  const comparisons = comparisonCache(options.runs);
  const runsBody = JSON.stringify({
    format: VIZ_FORMAT,
    runs: options.runs.map(({ key, name, createdAt, source, items, previousOf }) => ({
      key,
      name,
      createdAt,
      source,
      items,
      ...(previousOf === undefined ? {} : { previousOf }),
    })),
  } satisfies VizRuns);

  const packedFiles = new Map<string, Promise<Buffer>>();
  let hosts: ReadonlySet<string> = new Set();
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // DNS rebinding: a page on evil.example whose name now resolves to 127.0.0.1 would reach
    // this server from the user's browser; its requests carry its own name in Host.
    if (!hosts.has((req.headers.host ?? '').toLowerCase())) {
      return send(res, 421, 'misdirected request: this server answers only to its own address');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, 'bad request');
    }
    const data200 = (body: string | Uint8Array, ext: string) =>
      sendPacked(res, body, ext, pickEncoding(req.headers['accept-encoding']));
    if (path === `/data/${vizPaths.runs}`) return data200(runsBody, '.json');
    if (path === `/data/${vizPaths.trends}`) {
      // Read on each request: a few small files, and a run that finishes meanwhile shows up.
      if (!options.history) return send(res, 404, 'not found');
      return data200(JSON.stringify(await vizTrends(options.history, options.runs)), '.json');
    }
    const data = /^\/data\/([A-Za-z0-9._-]+)\/(.+)$/.exec(path);
    const compared = data && /^compare\/([A-Za-z0-9._-]+)\.json$/.exec(data[2] as string);
    if (data && compared) {
      const body = comparisons.get(compared[1] as string, data[1] as string);
      return body === undefined ? send(res, 404, 'not found') : data200(await body, '.json');
    }
    if (data) {
      const run = prepare(data[1] as string);
      const body = run && vizFile(await run, data[2] as string);
      return body === undefined ? send(res, 404, 'not found') : data200(body, extname(path));
    }
    const file = normalize(join(options.distDir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(options.distDir + sep)) return send(res, 404, 'not found');
    const body = await readFile(file).catch(() => undefined);
    if (!body) return send(res, 404, 'not found');
    // Vite hashes asset names, so only index.html can change under the same URL.
    const immutable = path.startsWith('/assets/');
    const encoding = pickEncoding(req.headers['accept-encoding']);
    if (encoding === 'identity' || !COMPRESSIBLE.has(extname(file))) {
      return send(res, 200, body, extname(file), immutable);
    }
    const key = `${encoding} ${file}`;
    let packed = packedFiles.get(key);
    if (!packed) {
      packed = encode(body, encoding, true);
      packedFiles.set(key, packed);
    }
    return send(res, 200, await packed, extname(file), immutable, encoding);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, `cannot serve this: ${(error as Error).message}`);
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, host, () => ok());
  });
  const { port } = server.address() as AddressInfo;
  hosts = ownHosts(host, port);
  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/`,
    async warm(key) {
      await prepare(key);
    },
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

/**
 * The Host headers a browser sends for this server: its loopback names at the bound port (and
 * the bound host itself, when a caller chose another one). Anything else is someone else's name.
 */
export function ownHosts(host: string, port: number): ReadonlySet<string> {
  const names = ['127.0.0.1', 'localhost', '[::1]'];
  const bound = host.includes(':') ? `[${host}]` : host;
  if (host !== '0.0.0.0' && host !== '::' && !names.includes(bound)) names.push(bound);
  return new Set(names.map((name) => `${name.toLowerCase()}:${port}`));
}

/** Run data, compressed when the client accepts it and it is worth it. */
async function sendPacked(
  res: ServerResponse,
  body: string | Uint8Array,
  ext: string,
  encoding: Encoding,
): Promise<void> {
  if (encoding === 'identity' || Buffer.byteLength(body) < COMPRESS_FROM_BYTES) {
    return send(res, 200, body, ext);
  }
  send(res, 200, await encode(body, encoding, false), ext, false, encoding);
}

function send(
  res: ServerResponse,
  status: number,
  body: string | Uint8Array,
  ext = '.txt',
  immutable = false,
  encoding: Encoding = 'identity',
): void {
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': TYPES[ext] ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    // Caches must keep the encodings apart: the same URL answers differently per client.
    ...(COMPRESSIBLE.has(ext) ? { vary: 'accept-encoding' } : {}),
    ...(encoding === 'identity' ? {} : { 'content-encoding': encoding }),
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
