import { type HierarchyDoc, hierarchySchema } from '../output/hierarchy-schema.js';
import { OUTPUT_FILES } from '../output/write.js';
import { RUN_RECORD, type RunRecord } from '../pipeline/run-record.js';
import type { Store, StoreEntry } from '../store/types.js';
import { ClioError } from '../util/errors.js';
import { CENTROIDS_FILE, centroidsMatch, parseCentroids, readCentroids } from './centroids.js';
import type { MatchSide } from './match.js';

/** Where a run folder keeps the run it replaced: one generation back, so disk use stays bounded. */
export const PREVIOUS_DIR = 'previous';

export interface PreviousRun {
  /** What key matching needs. */
  readonly side: MatchSide;
  /** The files as they were, to keep under `previous/`. */
  readonly files: ReadonlyMap<string, string>;
  /** Hashes of the items its run withheld (see `centroidsSchema.withheld`); absent in older runs. */
  readonly withheld?: readonly string[] | undefined;
}

/**
 * The run a store holds before a new one replaces it, read before anything is overwritten: the
 * basis for stable keys and, once kept under `previous/`, for `compare` and the explorer.
 * Undefined when there is none, or when it is not a hierarchy this version reads (it is then
 * only not matched against; a new run must not fail because an old one is odd).
 */
export async function readPreviousRun(store: Store): Promise<PreviousRun | undefined> {
  const text = await store.read(OUTPUT_FILES.hierarchy);
  if (text === undefined) return undefined;
  const doc = parseHierarchy(text);
  return doc && withCentroids(store, doc, text);
}

/** The run in the store, which must be readable: what `extend` works on. */
export async function readCurrentRun(store: Store): Promise<PreviousRun> {
  const text = await store.read(OUTPUT_FILES.hierarchy);
  if (text === undefined) {
    throw new ClioError(
      `no ${OUTPUT_FILES.hierarchy} in ${store.location}: run "open-clio generate" with this config first`,
    );
  }
  const doc = parseHierarchy(text);
  if (!doc) {
    throw new ClioError(
      `${store.location}/${OUTPUT_FILES.hierarchy} is not a hierarchy this version can read; run "open-clio generate" again`,
    );
  }
  return withCentroids(store, doc, text);
}

function parseHierarchy(text: string): HierarchyDoc | undefined {
  try {
    const parsed = hierarchySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

async function withCentroids(store: Store, doc: HierarchyDoc, text: string): Promise<PreviousRun> {
  const files = new Map<string, string>([[OUTPUT_FILES.hierarchy, text]]);
  const centroidsText = await store.read(CENTROIDS_FILE);
  const centroids = await readCentroids(async () => centroidsText, store.location).catch(
    () => undefined,
  );
  if (centroidsText !== undefined && centroids) files.set(CENTROIDS_FILE, centroidsText);
  // Centroids of another run's documents would pair clusters at random.
  const usable = centroids && centroidsMatch(centroids, doc) ? centroids : undefined;
  return {
    side: { doc, ...(usable ? { centroids: parseCentroids(usable) } : {}) },
    files,
    // Withholding is decided once per run, so even a stale artifact of the same run knows it.
    withheld: centroids?.runId === doc.run.runId ? centroids.withheld : undefined,
  };
}

/** A finished run's record made from the run info its hierarchy carries. */
export function recordFromDoc(doc: HierarchyDoc): RunRecord {
  const info = structuredClone(doc.run);
  return { ...info, status: 'done', stage: 'done', finishedAt: null, error: null };
}

/**
 * The replaced run's files under `previous/`, to write with the new run's outputs. Its
 * `run.json` is made from its hierarchy, since the new run has overwritten the real one by then.
 */
export function previousRunFiles(previous: PreviousRun | undefined): StoreEntry[] {
  if (!previous) return [];
  const files = [
    ...previous.files,
    [RUN_RECORD, `${JSON.stringify(recordFromDoc(previous.side.doc), null, 2)}\n`] as const,
  ];
  return files.map(([name, body]) => [`${PREVIOUS_DIR}/${name}`, body]);
}
