import type { Store } from './store';
import { createMemoryStore } from './memory-store';

/**
 * `memory:` (one process), `file:<dir>` (the embedded store for one machine) or `redis://…`.
 * File and Redis adapters load on first use. esbuild inlines a dynamic import into the one
 * CommonJS bundle but wraps it so it is evaluated only when first called: every bundle ships
 * ioredis's bytes (~150 KB, parsed lazily by V8), and only a function on Redis runs its code.
 * `npm run bench` measures the difference.
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
