import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback Amazon SNS that speaks the Query protocol the SDK sends (form-encoded POST, XML
 * replies) and applies Publish's documented limits: a known topic, a message of 1 byte to
 * 256 KiB, a subject of at most 100 ASCII characters with no line breaks or control characters,
 * starting with a letter, number or punctuation mark. Only accepted messages are counted as
 * billed; `faults` makes the first calls fail as the service may (500, throttling).
 */
export interface FakeSns {
  readonly endpoint: string;
  /** Accepted Publish calls: what SNS bills. */
  readonly published: { topicArn: string; subject?: string; message: string }[];
  /** Every call with its outcome. */
  readonly calls: { action: string; status: number; code?: string }[];
  close(): Promise<void>;
}

export interface FakeSnsOptions {
  readonly topics: readonly string[];
  /** Errors for the first calls, in order. */
  readonly faults?: readonly ('InternalError' | 'Throttled')[];
}

const MAX_MESSAGE_BYTES = 256 * 1024;
const NS = 'http://sns.amazonaws.com/doc/2010-03-31/';

const xml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function subjectProblem(subject: string): string | undefined {
  if (subject.length === 0 || subject.length >= 100) return 'Subject must be 1 to 99 characters';
  if (!/^[\x20-\x7e]+$/.test(subject)) return 'Subject must be ASCII text without line breaks';
  if (!/^[A-Za-z0-9!-/:-@[-`{-~]/.test(subject))
    return 'Subject must start with a letter, number or punctuation mark';
  return undefined;
}

export async function startFakeSns(options: FakeSnsOptions): Promise<FakeSns> {
  const published: FakeSns['published'] = [];
  const calls: FakeSns['calls'] = [];
  const faults = [...(options.faults ?? [])];

  const reply = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/xml' });
    res.end(body);
  };
  const error = (
    res: ServerResponse,
    action: string,
    status: number,
    code: string,
    message: string,
  ) => {
    calls.push({ action, status, code });
    reply(
      res,
      status,
      `<ErrorResponse xmlns="${NS}"><Error><Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type>` +
        `<Code>${code}</Code><Message>${xml(message)}</Message></Error>` +
        `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    );
  };

  const handle = (req: IncomingMessage, body: string, res: ServerResponse) => {
    const form = new URLSearchParams(body);
    const action = form.get('Action') ?? '';
    if (req.method !== 'POST' || !/x-www-form-urlencoded/.test(req.headers['content-type'] ?? ''))
      return error(res, action, 400, 'InvalidAction', 'expected a form-encoded POST');
    if (!String(req.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 '))
      return error(res, action, 403, 'MissingAuthenticationToken', 'request is not signed');
    if (action !== 'Publish') return error(res, action, 400, 'InvalidAction', `unknown ${action}`);
    const fault = faults.shift();
    if (fault === 'InternalError') return error(res, action, 500, fault, 'internal error');
    if (fault === 'Throttled') return error(res, action, 400, fault, 'Rate exceeded');
    const topicArn = form.get('TopicArn') ?? '';
    if (!options.topics.includes(topicArn))
      return error(res, action, 404, 'NotFound', 'Topic does not exist');
    const message = form.get('Message') ?? '';
    const bytes = Buffer.byteLength(message);
    if (bytes === 0 || bytes > MAX_MESSAGE_BYTES)
      return error(res, action, 400, 'InvalidParameter', 'Invalid parameter: Message too long');
    const subject = form.get('Subject') ?? undefined;
    const problem = subject === undefined ? undefined : subjectProblem(subject);
    if (problem)
      return error(res, action, 400, 'InvalidParameter', `Invalid parameter: ${problem}`);
    published.push({ topicArn, message, ...(subject === undefined ? {} : { subject }) });
    calls.push({ action, status: 200 });
    reply(
      res,
      200,
      `<PublishResponse xmlns="${NS}"><PublishResult><MessageId>${randomUUID()}</MessageId>` +
        `</PublishResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId>` +
        '</ResponseMetadata></PublishResponse>',
    );
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => handle(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    published,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
