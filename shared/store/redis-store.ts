import Redis from 'ioredis';
import { redisChangeChannels } from './redis-change-channel';
import { parseRedisUrl, type RedisConnection } from './redis-url';
import { StoreUnavailableError, type Store } from './store';

// Both run atomically inside Redis, so two containers can never interleave between the
// read and the write.
const COMPARE_AND_DELETE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const INCREMENT_WITH_TTL =
  "local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n";

export interface RedisStoreOptions {
  /**
   * How long one command may take before the store counts as unavailable (default 1500 ms). A
   * Redis that stops answering on an open connection (overload, failover, a paused process)
   * would otherwise hold every caller until SCF kills the invocation.
   */
  commandTimeoutMs?: number;
  /** How long the first connection may take (default 3000 ms). */
  connectTimeoutMs?: number;
}

export const DEFAULT_COMMAND_TIMEOUT_MS = 1_500;

/**
 * Tencent Cloud Redis in production; any Redis ≥ 2.6.12 speaks these commands, and waiting for a
 * change blocks only from Redis 5.0 on (streams; before, a waiter looks again every 20 ms).
 */
export function createRedisStore(target: string | RedisConnection, options: RedisStoreOptions = {}): Store {
  const connection = typeof target === 'string' ? parseRedisUrl(target) : target;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  const { tls, ...address } = connection;
  const redis = new Redis({
    ...address,
    ...(tls ? { tls: {} } : {}),
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // A function has seconds to answer: a command fails at once while the connection is down
    // instead of waiting in ioredis's offline queue for a reconnect that may never come.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    // No INFO round trip before the first command: a cold container waits for every round trip.
    enableReadyCheck: false,
    // No CLIENT SETINFO either (ioredis ≥ 5.5 sends two and waits for both before the first
    // command, after reading its own package.json from disk): one round trip less per cold
    // container, and Redis before 7.2 answers it with an error anyway.
    disableClientInfo: true,
  });
  // Without a listener ioredis prints every reconnect failure; callers see command errors.
  redis.on('error', () => {});

  let connecting: Promise<void> | undefined;
  /**
   * Commands are sent only on a ready connection. The first use connects (a cold container);
   * while ioredis reconnects, a command waits for it at most one command timeout.
   */
  function ready(): Promise<void> {
    if (redis.status === 'ready') return Promise.resolve();
    if (redis.status === 'wait') {
      connecting = redis.connect().finally(() => {
        connecting = undefined;
      });
    }
    const limitMs = connecting ? connectTimeoutMs : commandTimeoutMs;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        redis.off('ready', onReady);
        reject(new Error(`not connected to Redis after ${limitMs} ms`));
      }, limitMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      redis.once('ready', onReady);
      connecting?.catch((err: unknown) => {
        clearTimeout(timer);
        redis.off('ready', onReady);
        reject(err);
      });
    });
  }

  // Callers learn that the store failed, not ioredis's connection details.
  const guard = <T>(operation: string, run: () => Promise<T>): Promise<T> =>
    ready()
      .then(run)
      .catch((err: unknown) => {
        throw new StoreUnavailableError(operation, {
          cause: err instanceof Error ? new Error(err.message) : undefined,
        });
      });
  const channels = redisChangeChannels(redis, commandTimeoutMs);
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
    getMany: async (keys) => (keys.length === 0 ? [] : redis.mget(...keys)),
    ...channels,
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
  return {
    get: (key) => guard('get', () => store.get(key)),
    set: (key, value, ttlMs) => guard('set', () => store.set(key, value, ttlMs)),
    setIfAbsent: (key, value, ttlMs) => guard('setIfAbsent', () => store.setIfAbsent(key, value, ttlMs)),
    compareAndDelete: (key, expected) => guard('compareAndDelete', () => store.compareAndDelete(key, expected)),
    delete: (key) => guard('delete', () => store.delete(key)),
    increment: (key, ttlMs) => guard('increment', () => store.increment(key, ttlMs)),
    getMany: (keys) => guard('getMany', () => store.getMany(keys)),
    notifyChange: (channel, message) => guard('notifyChange', () => store.notifyChange(channel, message)),
    waitForChange: (channel, afterVersion, timeoutMs) =>
      guard('waitForChange', () => store.waitForChange(channel, afterVersion, timeoutMs)),
    close: () => store.close(),
  };
}
