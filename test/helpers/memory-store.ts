import type { Store } from '../../lib/store/types.js';

/** A store in a Map, with the keys it was asked to write, in order. */
export function memoryStore(): Store & { readonly objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    location: 'memory://run/',
    objects,
    read: async (key) => objects.get(key),
    write: async (key, body) => {
      objects.set(key, typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
    },
  };
}
