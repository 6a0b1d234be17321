import type { Store } from './store';
import { createMemoryStore } from './memory-store';

/**
 * `memory:` (one process), `file:<dir>` (the embedded store for one machine) or `redis://…`.
 * File and Redis adapters load on first use: esbuild keeps a dynamic import lazy inside a
 * CommonJS bundle, so a function pays for ioredis only when it talks to Redis.
 */
export function openStore(url: string): Store {
  if (url === 'memory:') return createMemoryStore();
  let loaded: Promise<Store> | undefined;
  const load = () =>
    (loaded ??= url.startsWith('file:')
      ? import('./file-store').then((m) => m.createFileStore(url.slice('file:'.length)))
      : import('./redis-store').then((m) => m.createRedisStore(url)));
  return {
    get: async (key) => (await load()).get(key),
    set: async (key, value, ttlMs) => (await load()).set(key, value, ttlMs),
    setIfAbsent: async (key, value, ttlMs) => (await load()).setIfAbsent(key, value, ttlMs),
    compareAndDelete: async (key, expected) => (await load()).compareAndDelete(key, expected),
    delete: async (key) => (await load()).delete(key),
    increment: async (key, ttlMs) => (await load()).increment(key, ttlMs),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}
