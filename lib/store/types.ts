export interface ReadOptions {
  /** One version of a versioned object (an S3 version id), not the latest. */
  readonly version?: string | undefined;
}

/**
 * Run artifacts by key (`run.json`, `combined.csv`, `cache/summaries.jsonl`, ...). `FsStore`
 * keeps them under the config's `save_path`; an S3 store will keep them under a run prefix.
 */
export interface Store {
  /** Where the artifacts live, for messages (a folder or an `s3://` URL). */
  readonly location: string;
  /** Undefined when there is no such key (or no such version of it). */
  read(key: string, options?: ReadOptions): Promise<string | undefined>;
  /**
   * The artifact's bytes, undecoded: for source files, whose encoding is checked rather than
   * silently repaired. Absent on stores that only hold text.
   */
  readBytes?(key: string): Promise<Uint8Array | undefined>;
  /** Replaces the artifact whole; a reader never sees half of it. */
  write(key: string, body: string | Uint8Array): Promise<void>;
  /**
   * Deletes scratch space a step is done with (every key under `prefix/`). Absent where the
   * store expires it by itself (S3: the intermediate artifacts' lifecycle rule).
   */
  removeAll?(prefix: string): Promise<void>;
  /**
   * Replaces several artifacts as one: a reader sees all of the new ones or none, even when the
   * writer is killed halfway. Only where a place holds one run after another (a local
   * `save_path`); absent, `writeTogether` writes them one by one.
   */
  writeAll?(files: readonly StoreEntry[]): Promise<void>;
}

/** An artifact to write: its key and its whole body. */
export type StoreEntry = readonly [key: string, body: string | Uint8Array];

/**
 * A persistent key → record map used to never pay twice for a summary or an embedding.
 * Records are re-validated when read; a record that no longer parses is ignored and recomputed.
 */
export interface RecordCache<T> {
  get(key: string): T | undefined;
  /** Persists at once, so a killed run loses at most the records in flight. */
  set(key: string, value: T): Promise<void>;
  readonly size: number;
  close(): Promise<void>;
}
