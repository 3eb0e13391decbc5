import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ReadOptions, Store } from './types.js';

/**
 * The object tag that marks an artifact as intermediate (item batches, summaries, per-batch
 * caches, levels): the artifacts bucket's lifecycle rule expires objects carrying it, while the
 * outputs of a run are kept. A tag rather than a key prefix because S3 lifecycle filters cannot
 * match the middle of a key (`runs/<runId>/items/…`).
 */
export const INTERMEDIATE_TAG = { key: 'open-clio:retention', value: 'intermediate' } as const;

export interface S3StoreOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /**
   * Prepended to every key, e.g. `data/`.
   * @default '' (keys are object keys)
   */
  readonly prefix?: string;
  /**
   * Tags to put on the object written under a key (the key without `prefix`).
   * @default no tags
   */
  readonly tagsFor?: (key: string) => Readonly<Record<string, string>> | undefined;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  json: 'application/json',
  jsonl: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
};

function contentType(key: string): string {
  const ext = /\.([a-z0-9]+)$/i.exec(key)?.[1]?.toLowerCase();
  return (ext && CONTENT_TYPES[ext]) ?? 'application/octet-stream';
}

// Only NoSuchKey: a 404 can also be NoSuchBucket, which must fail loudly. Real S3 answers a
// missing key with 403 instead when the caller may not list the bucket, so readers need ListBucket.
const MISSING = new Set(['NoSuchKey', 'NoSuchVersion']);
const isMissing = (error: unknown): boolean =>
  MISSING.has(String((error as { name?: unknown } | null)?.name));

/**
 * Artifacts as objects in one bucket. A PutObject replaces the object whole, so a reader never
 * sees half of it: the `Store` contract holds without a temp-and-rename dance.
 */
export class S3Store implements Store {
  readonly location: string;
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #tagsFor: S3StoreOptions['tagsFor'];

  constructor(options: S3StoreOptions) {
    if (!options.bucket) throw new Error('S3Store: bucket must be a non-empty bucket name');
    const prefix = options.prefix ?? '';
    if (prefix.startsWith('/'))
      throw new Error(`S3Store: prefix "${prefix}" must not start with "/" (S3 keys have no root)`);
    this.#client = options.client;
    this.#bucket = options.bucket;
    this.#prefix = prefix;
    this.#tagsFor = options.tagsFor;
    this.location = `s3://${options.bucket}/${prefix}`;
  }

  /** The object key an artifact key is stored under. */
  objectKey(key: string): string {
    if (key === '' || key.startsWith('/'))
      throw new Error(`S3Store: key "${key}" must be non-empty and relative`);
    return this.#prefix + key;
  }

  async read(key: string, options?: ReadOptions): Promise<string | undefined> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.objectKey(key),
          ...(options?.version ? { VersionId: options.version } : {}),
        }),
      );
      return (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async readBytes(key: string): Promise<Uint8Array | undefined> {
    try {
      const object = await this.#client.send(
        new GetObjectCommand({ Bucket: this.#bucket, Key: this.objectKey(key) }),
      );
      return (await object.Body?.transformToByteArray()) ?? new Uint8Array();
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  async write(key: string, body: string | Uint8Array): Promise<void> {
    const tags = this.#tagsFor?.(key);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentType: contentType(key),
        ...(tags && Object.keys(tags).length > 0
          ? { Tagging: new URLSearchParams(tags).toString() }
          : {}),
      }),
    );
  }
}
