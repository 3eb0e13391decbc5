import type { Store } from './types.js';

/** A view of a store under a key prefix, e.g. one run's `runs/<runId>/` in the artifacts bucket. */
export function withPrefix(store: Store, prefix: string): Store {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return {
    location: `${store.location.replace(/\/$/, '')}/${base}`,
    read: (key, options) => store.read(base + key, options),
    ...(store.readBytes
      ? { readBytes: (key: string) => store.readBytes?.(base + key) ?? Promise.resolve(undefined) }
      : {}),
    write: (key, body) => store.write(base + key, body),
  };
}
