import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type HierarchyDoc, hierarchySchema } from '../output/hierarchy-schema.js';
import { OUTPUT_FILES } from '../output/write.js';
import { RUN_RECORD, type RunRecord, runRecordSchema } from '../pipeline/run-record.js';
import { ClioError } from '../util/errors.js';

/** Where Finalize writes a run's outputs in the artifacts bucket (`runStore` in the staged pipeline). */
export const runPrefix = (runId: string) => `runs/${runId}/`;

export interface Downloaded {
  /** Absolute folder the files are in. */
  readonly location: string;
  readonly files: string[];
  readonly doc: HierarchyDoc;
  readonly record: RunRecord;
}

/**
 * Streams one object to a file, through a temporary name so that an interrupted download never
 * leaves a truncated file under the real name.
 */
async function downloadObject(s3: S3Client, bucket: string, key: string, target: string) {
  let body: Readable;
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    body = object.Body as Readable;
  } catch (error) {
    if ((error as { name?: unknown } | undefined)?.name === 'NoSuchKey')
      throw new ClioError(`the run finished but s3://${bucket}/${key} is missing`, {
        cause: error,
      });
    throw error;
  }
  const temp = `${target}.${randomUUID()}.tmp`;
  try {
    await pipeline(body, createWriteStream(temp));
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * Downloads a finished run's outputs into `dir`, the files a local run writes there:
 * `hierarchy.json` first (it names the levels, hence the level CSVs), the CSVs, then `run.json`.
 */
export async function downloadOutputs(
  s3: S3Client,
  bucket: string,
  runId: string,
  dir: string,
): Promise<Downloaded> {
  await mkdir(dir, { recursive: true });
  const fetch = async (file: string) => {
    await downloadObject(s3, bucket, runPrefix(runId) + file, join(dir, file));
    return file;
  };
  const read = async (file: string) => JSON.parse(await readFile(join(dir, file), 'utf8'));

  const files = [await fetch(OUTPUT_FILES.hierarchy)];
  const doc = hierarchySchema.parse(await read(OUTPUT_FILES.hierarchy));
  files.push(await fetch(OUTPUT_FILES.combined));
  for (const { level } of doc.levels) files.push(await fetch(OUTPUT_FILES.level(level)));
  files.push(await fetch(RUN_RECORD));
  const record = runRecordSchema.parse(await read(RUN_RECORD));
  return { location: dir, files, doc, record };
}
