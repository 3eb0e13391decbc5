import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname, posix } from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { LoadedConfig } from '../config/index.js';
import { RemoteConfigError } from './errors.js';

/** Uploads under this prefix ending in `.json` start a run (`ConfigUploadTrigger`'s default). */
export const CONFIGS_PREFIX = 'configs/';

/** What a remote run uploads: the config as written, and a local source file next to it. */
export interface UploadPlan {
  readonly configKey: string;
  readonly configBody: Buffer;
  /** The trigger id the upload's event carries: `upload#<ETag>`, the MD5 of the body under SSE-S3. */
  readonly trigger: string;
  readonly source: { readonly path: string; readonly key: string } | undefined;
}

const startsRun = (key: string) => key.startsWith(CONFIGS_PREFIX) && key.endsWith('.json');

/**
 * Plans the upload of a validated config. The config goes up as written, so Prepare validates
 * the same text; `source.file` goes to the key Prepare will read it from: resolved against the
 * config key's folder as a POSIX path (Prepare runs on Linux), which keeps the relative path.
 */
export async function planUpload(loaded: LoadedConfig): Promise<UploadPlan> {
  const name = basename(loaded.path, extname(loaded.path));
  const configKey = `${CONFIGS_PREFIX}${name}.json`;
  const configBody = await readFile(loaded.path);
  const raw = JSON.parse(configBody.toString('utf8').replace(/^\uFEFF/, '')) as {
    source?: { file?: unknown };
  };
  let source: UploadPlan['source'];
  if (loaded.config.source && typeof raw.source?.file === 'string') {
    const key = posix
      .resolve(`/${posix.dirname(configKey)}`, raw.source.file.replaceAll('\\', '/'))
      .slice(1);
    if (startsRun(key))
      throw new RemoteConfigError(
        `source.file "${raw.source.file}" would be uploaded as ${key}, which starts a run of its own: give it a .jsonl or .csv name`,
      );
    source = { path: loaded.config.source.file, key };
  }
  const md5 = createHash('md5').update(configBody).digest('hex');
  return { configKey, configBody, trigger: `upload#${md5}`, source };
}

/**
 * Uploads the source first, so the run the config's upload starts finds it. Returns the config
 * object's ETag without quotes, as S3's event (and so the trigger id) spells it.
 */
export async function uploadRun(
  s3: S3Client,
  bucket: string,
  plan: UploadPlan,
): Promise<{ readonly etag: string; readonly version: string | undefined }> {
  if (plan.source) {
    let body: Buffer;
    try {
      body = await readFile(plan.source.path);
    } catch (error) {
      throw new RemoteConfigError(
        `cannot read source.file ${plan.source.path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: plan.source.key, Body: body }));
  }
  const { ETag, VersionId } = await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: plan.configKey,
      Body: plan.configBody,
      ContentType: 'application/json',
    }),
  );
  return {
    etag: (ETag ?? plan.trigger.slice('upload#'.length)).replaceAll('"', ''),
    version: VersionId,
  };
}
