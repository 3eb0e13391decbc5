import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { type HierarchyDoc, hierarchySchema } from '../output/hierarchy-schema.js';
import { OUTPUT_FILES } from '../output/write.js';
import { ClioError } from '../util/errors.js';
import { centroidsMatch, parseCentroids, readCentroids } from './centroids.js';
import type { LabelledRun } from './compare.js';

/** A run that cannot be compared: missing, or not a hierarchy this version reads. */
export class RunInputError extends ClioError {
  override name = 'RunInputError';
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** The `hierarchy.json` a path names: the file itself, or the one in a run folder. */
export async function hierarchyFileOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new RunInputError(`nothing at ${path}: give a run folder or its hierarchy.json`);
  return info.isDirectory() ? join(path, OUTPUT_FILES.hierarchy) : path;
}

export async function readHierarchyFile(file: string): Promise<HierarchyDoc> {
  const text = await readText(file);
  if (text === undefined) {
    throw new RunInputError(
      `no ${OUTPUT_FILES.hierarchy} at ${file}: run "open-clio generate" first`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RunInputError(`${file} is not JSON: ${(error as Error).message}`);
  }
  const parsed = hierarchySchema.safeParse(json);
  if (!parsed.success) {
    throw new RunInputError(
      `${file} is not a hierarchy this version can read: ${parsed.error.issues[0]?.message ?? parsed.error.message}`,
    );
  }
  return parsed.data;
}

/**
 * A run to compare, from a run folder or a `hierarchy.json`, with the centroids beside it when
 * they belong to that very run (older runs have none; then matching uses keys, members and names).
 */
export async function loadRun(path: string, label = path): Promise<LabelledRun> {
  const file = await hierarchyFileOf(path);
  const doc = await readHierarchyFile(file);
  const folder = dirname(file);
  const centroids = await readCentroids((key) => readText(join(folder, key)), folder);
  return {
    label,
    doc,
    ...(centroids && centroidsMatch(centroids, doc)
      ? { centroids: parseCentroids(centroids) }
      : {}),
  };
}
