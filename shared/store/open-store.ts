import { rememberSecret } from '../redact';
import { createMemoryStore } from './memory-store';
import type { RedisStoreOptions } from './redis-store';
import { isRedisUrl, parseRedisUrl, redisUrlSecrets } from './redis-url';
import type { Store } from './store';

export type StoreOptions = RedisStoreOptions;

/**
 * `memory:` (one process), `file:<dir>` (the embedded store for one machine) or `redis://…`.
 * File and Redis adapters load on first use. esbuild inlines a dynamic import into the one
 * CommonJS bundle but wraps it so it is evaluated only when first called: every bundle ships
 * ioredis's bytes (~150 KB, parsed lazily by V8), and only a function on Redis runs its code.
 * `npm run bench` measures the difference. A Redis URL is parsed here, once (the config schema
 * has already checked it), and its password is scrubbed from every log line from now on.
 */
export function openStore(url: string, options: StoreOptions = {}): Store {
  if (url === 'memory:') return createMemoryStore();
  let open: () => Promise<Store>;
  if (url.startsWith('file:')) {
    open = () => import('./file-store').then((m) => m.createFileStore(url.slice('file:'.length)));
  } else if (isRedisUrl(url)) {
    redisUrlSecrets(url).forEach(rememberSecret);
    const connection = parseRedisUrl(url);
    open = () => import('./redis-store').then((m) => m.createRedisStore(connection, options));
  } else {
    throw new Error('STORE_URL must be memory:, file:<dir> or redis://…');
  }
  let loaded: Promise<Store> | undefined;
  const load = () => (loaded ??= open());
  return {
    get: async (key) => (await load()).get(key),
    set: async (key, value, ttlMs) => (await load()).set(key, value, ttlMs),
    setIfAbsent: async (key, value, ttlMs) => (await load()).setIfAbsent(key, value, ttlMs),
    compareAndDelete: async (key, expected) => (await load()).compareAndDelete(key, expected),
    delete: async (key) => (await load()).delete(key),
    increment: async (key, ttlMs) => (await load()).increment(key, ttlMs),
    getMany: async (keys) => (await load()).getMany(keys),
    getManyAndClaim: async (keys, claim) => (await load()).getManyAndClaim(keys, claim),
    takeWindowSlot: async (take) => (await load()).takeWindowSlot(take),
    notifyChange: async (channel, message) => (await load()).notifyChange(channel, message),
    waitForChange: async (channel, afterVersion, timeoutMs) =>
      (await load()).waitForChange(channel, afterVersion, timeoutMs),
    close: async () => {
      if (loaded) await (await loaded).close();
    },
  };
}
