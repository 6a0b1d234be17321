import Redis from 'ioredis';
import { StoreUnavailableError, type Store } from './store';

// Both run atomically inside Redis, so two containers can never interleave between the
// read and the write.
const COMPARE_AND_DELETE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const INCREMENT_WITH_TTL = `local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n`;

/** Tencent Cloud Redis in production; any Redis ≥ 2.6.12 speaks these commands. */
export function createRedisStore(url: string): Store {
  const redis = new Redis(url, {
    // A function has seconds to answer: fail fast instead of queueing behind a dead server.
    connectTimeout: 3_000,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
  });
  // Without a listener ioredis prints every reconnect failure; callers see command errors.
  redis.on('error', () => {});
  // Callers learn that the store failed, not ioredis's connection details.
  const guard = <T>(operation: string, run: () => Promise<T>): Promise<T> =>
    run().catch((err: unknown) => {
      throw new StoreUnavailableError(operation, { cause: err instanceof Error ? new Error(err.message) : undefined });
    });
  const store: Store = {
    get: (key) => redis.get(key),
    async set(key, value, ttlMs) {
      if (ttlMs === undefined) await redis.set(key, value);
      else await redis.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await redis.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK';
    },
    async compareAndDelete(key, expected) {
      return (await redis.eval(COMPARE_AND_DELETE, 1, key, expected)) === 1;
    },
    async delete(key) {
      await redis.del(key);
    },
    async increment(key, ttlMs) {
      return Number(await redis.eval(INCREMENT_WITH_TTL, 1, key, String(Math.max(1, Math.ceil(ttlMs)))));
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
  return {
    get: (key) => guard('get', () => store.get(key)),
    set: (key, value, ttlMs) => guard('set', () => store.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => guard('setIfAbsent', () => store.setIfAbsent(key, value, ttlMs)),
    compareAndDelete: (key, expected) => guard('compareAndDelete', () => store.compareAndDelete(key, expected)),
    delete: (key) => guard('delete', () => store.delete(key)),
    increment: (key, ttlMs) => guard('increment', () => store.increment(key, ttlMs)),
    close: () => store.close(),
  };
}
