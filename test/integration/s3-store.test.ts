import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, type PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withPrefix } from '../../lib/store/prefixed.js';
import { INTERMEDIATE_TAG, S3Store } from '../../lib/store/s3-store.js';
import { type S3Emulator, startS3 } from '../infra/emulators.js';

const BUCKET = 'artifacts';
let s3: S3Emulator;
let client: S3Client;

beforeAll(async () => {
  s3 = await startS3();
  client = s3.client;
  await s3.createBucket(BUCKET);
});

afterAll(() => s3?.close());

describe('S3Store against an S3 emulator', () => {
  it('reads back what it wrote, text and bytes, and undefined for a missing key', async () => {
    const store = new S3Store({ client, bucket: BUCKET });
    await store.write('runs/r1/run.json', '{"status":"running"}');
    await store.write('runs/r1/blob.bin', new Uint8Array([104, 105]));
    expect(await store.read('runs/r1/run.json')).toBe('{"status":"running"}');
    expect(await store.read('runs/r1/blob.bin')).toBe('hi');
    expect(await store.read('runs/r1/missing.json')).toBeUndefined();
  });

  it('replaces an object whole on rewrite', async () => {
    const store = new S3Store({ client, bucket: BUCKET });
    await store.write('runs/r2/run.json', 'x'.repeat(1000));
    await store.write('runs/r2/run.json', 'short');
    expect(await store.read('runs/r2/run.json')).toBe('short');
  });

  it('keeps keys under its prefix and composes with withPrefix like the staged pipeline', async () => {
    const site = new S3Store({ client, bucket: BUCKET, prefix: 'data/' });
    expect(site.location).toBe(`s3://${BUCKET}/data/`);
    const run = withPrefix(site, 'runs/r3');
    await run.write('hierarchy.json', '{}');
    const root = new S3Store({ client, bucket: BUCKET });
    expect(await root.read('data/runs/r3/hierarchy.json')).toBe('{}');
    expect(run.location).toBe(`s3://${BUCKET}/data/runs/r3/`);
  });

  it('sets the content type from the extension, for the explorer and downloads', async () => {
    const store = new S3Store({ client, bucket: BUCKET });
    await store.write('runs/r4/combined.csv', 'a,b\n');
    await store.write('runs/r4/hierarchy.json', '{}');
    const type = async (Key: string) =>
      (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key }))).ContentType;
    expect(await type('runs/r4/combined.csv')).toMatch(/^text\/csv/);
    expect(await type('runs/r4/hierarchy.json')).toBe('application/json');
  });

  it('tags intermediate artifacts so the lifecycle rule can expire them', async () => {
    // The emulator drops tags sent with PutObject, so this one checks the request itself.
    const sent: PutObjectCommand['input'][] = [];
    const recorder = {
      send: async (command: PutObjectCommand) => {
        sent.push(command.input);
        return {};
      },
    } as unknown as S3Client;
    const store = new S3Store({
      client: recorder,
      bucket: BUCKET,
      tagsFor: (key) =>
        key.includes('/items/') ? { [INTERMEDIATE_TAG.key]: INTERMEDIATE_TAG.value } : undefined,
    });
    await store.write('runs/r5/items/batch-00001.json', '[]');
    await store.write('runs/r5/hierarchy.json', '{}');
    expect(sent[0]).toMatchObject({ Tagging: 'open-clio%3Aretention=intermediate' });
    expect(sent[1]?.Tagging).toBeUndefined();
  });

  it('rejects what would not name an object clearly', () => {
    expect(() => new S3Store({ client, bucket: '' })).toThrow(/bucket must be a non-empty/);
    expect(() => new S3Store({ client, bucket: BUCKET, prefix: '/data' })).toThrow(
      /must not start with "\/"/,
    );
    const store = new S3Store({ client, bucket: BUCKET });
    expect(() => store.objectKey('/abs')).toThrow(/non-empty and relative/);
  });

  it('surfaces other S3 errors instead of treating them as missing', async () => {
    const store = new S3Store({ client, bucket: 'no-such-bucket' });
    await expect(store.read('x.json')).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });

  it('reads one version of a versioned object, and a missing version as missing', async () => {
    // s3rver keeps no versions, so a loopback server answers GetObject's wire format for these.
    const versions: Record<string, string> = { v1: '{"hierarchy":[3]}', v2: '{"hierarchy":[9]}' };
    const asked: (string | null)[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const version = url.searchParams.get('versionId');
      asked.push(version);
      const body = version === null ? versions.v2 : versions[version];
      if (url.pathname !== '/configs/configs/a.json' || body === undefined) {
        res.writeHead(404, { 'content-type': 'application/xml' });
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchVersion</Code><Message>The specified version does not exist.</Message><Key>configs/a.json</Key><VersionId>${version}</VersionId></Error>`,
        );
        return;
      }
      res.writeHead(200, {
        'content-type': 'application/json',
        'x-amz-version-id': version ?? 'v2',
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const versioned = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    try {
      const store = new S3Store({ client: versioned, bucket: 'configs' });
      expect(await store.read('configs/a.json', { version: 'v1' })).toBe(versions.v1);
      expect(await store.read('configs/a.json')).toBe(versions.v2);
      expect(await store.read('configs/a.json', { version: 'v9' })).toBeUndefined();
      expect(asked).toEqual(['v1', null, 'v9']);
    } finally {
      versioned.destroy();
      server.close();
    }
  });
});
