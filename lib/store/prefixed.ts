import type { Store } from './types.js';

/** A view of a store under a key prefix, e.g. one run's `runs/<runId>/` in the artifacts bucket. */
export function withPrefix(store: Store, prefix: string): Store {
  const base = prefix.endsWith('/') ? prefix : `${prefix}/`;
  const { readBytes, removeAll } = store;
  return {
    location: `${store.location.replace(/\/$/, '')}/${base}`,
    read: (key, options) => store.read(base + key, options),
    ...(readBytes ? { readBytes: (key: string) => readBytes.call(store, base + key) } : {}),
    write: (key, body) => store.write(base + key, body),
    ...(removeAll ? { removeAll: (prefix: string) => removeAll.call(store, base + prefix) } : {}),
  };
}
