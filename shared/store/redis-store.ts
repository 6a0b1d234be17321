import Redis, { type RedisOptions } from 'ioredis';
import { RedisChangeChannels } from './redis-change-channel';
import { parseRedisUrl, type RedisConnection } from './redis-url';
import {
  type ConditionalClaim,
  type ReadAndClaimed,
  StoreUnavailableError,
  type Store,
  type WindowTake,
  type WindowTaken,
} from './store';

// Both run atomically inside Redis, so two containers can never interleave between the
// read and the write.
const COMPARE_AND_DELETE =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const INCREMENT_WITH_TTL =
  "local n = redis.call('incr', KEYS[1]) if n == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return n";
// KEYS: the claim's key, ARGV[3] keys to read, then the keys whose presence leaves the claim
// untried; ARGV: owner, TTL, ARGV[3]. Answers the claim's holder, then the values read.
const GET_MANY_AND_CLAIM =
  'local n = tonumber(ARGV[3]) local free = true ' +
  "for i = n + 2, #KEYS do if redis.call('exists', KEYS[i]) == 1 then free = false break end end " +
  "if free then redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) end " +
  "local out = {redis.call('get', KEYS[1])} for i = 2, n + 1 do out[i] = redis.call('get', KEYS[i]) end return out";

// KEYS: the window (a sorted set of the calls, scored by when each was taken), the counter.
// ARGV: at, the oldest time still in the window, the limit, window length, the call's id, the
// window's TTL, the counter's TTL, the counter's limit ('' for none). Answers {2, 0} when the
// counter already holds its limit (nothing entered or counted), {1, count} when the call is let
// in, else {0, ms until the earliest call leaves}.
const TAKE_WINDOW_SLOT =
  "if ARGV[8] ~= '' and tonumber(redis.call('get', KEYS[2]) or '0') >= tonumber(ARGV[8]) then return {2, 0} end " +
  "redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[2]) " +
  "if redis.call('zcard', KEYS[1]) >= tonumber(ARGV[3]) then " +
  "local first = redis.call('zrange', KEYS[1], 0, 0, 'WITHSCORES') " +
  'return {0, tonumber(first[2]) + tonumber(ARGV[4]) - tonumber(ARGV[1])} end ' +
  "redis.call('zadd', KEYS[1], ARGV[1], ARGV[5]) redis.call('pexpire', KEYS[1], ARGV[6]) " +
  "local n = redis.call('incr', KEYS[2]) if n == 1 then redis.call('pexpire', KEYS[2], ARGV[7]) end " +
  'return {1, n}';

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

const ignore = () => {};

/** A TTL as Redis takes it (PX, PEXPIRE): whole milliseconds, at least one. */
const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));

/**
 * Tencent Cloud Redis in production; any Redis ≥ 2.6.12 speaks these commands, and waiting for a
 * change blocks only from Redis 5.0 on (streams; before, a waiter looks again every 20 ms).
 */
export function createRedisStore(target: string | RedisConnection, options: RedisStoreOptions = {}): Store {
  const connection = typeof target === 'string' ? parseRedisUrl(target) : target;
  const commandTimeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const connectTimeoutMs = options.connectTimeoutMs ?? 3_000;
  // Written out rather than spread from the connection: an object rest and two spreads cost a cold
  // container about 7 µs against 1 (200 at once in the bench's stampede).
  const redisOptions: RedisOptions = {
    host: connection.host,
    port: connection.port,
    db: connection.db,
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    commandTimeout: commandTimeoutMs,
    // A function has seconds to answer: a command fails at once while the connection is down
    // instead of waiting in ioredis's offline queue for a reconnect that may never come.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 2,
    // Each command is written when it is sent. Auto-pipelining holds it back to the end of the
    // event loop's turn (setImmediate) to batch it with others, and a cold container has none to
    // batch: its first command would wait for whatever else the process does in that turn.
    enableAutoPipelining: false,
    // No INFO round trip before the first command: a cold container waits for every round trip.
    enableReadyCheck: false,
    // No CLIENT SETINFO either (ioredis ≥ 5.5 sends two and waits for both before the first
    // command, after reading its own package.json from disk): one round trip less per cold
    // container, and Redis before 7.2 answers it with an error anyway.
    disableClientInfo: true,
    // No TCP keep-alive, which ioredis turns on for each connection (one more listener and a
    // setsockopt) whenever this is a number (default 0): the kernel's first probe would go after
    // two idle hours, and a frozen SCF container sends none. A connection that died meanwhile
    // fails its next command, which the store reports; ioredis then reconnects.
    keepAlive: false as unknown as number,
  };
  if (connection.username !== undefined) redisOptions.username = connection.username;
  if (connection.password !== undefined) redisOptions.password = connection.password;
  if (connection.tls) redisOptions.tls = {};
  const redis = new Redis(redisOptions);
  // Without a listener ioredis prints every reconnect failure; callers see command errors.
  redis.on('error', ignore);
  return new RedisStore(redis, commandTimeoutMs);
}

/**
 * A class, so that a cold container opening its store creates one object and not a closure per
 * method: 200 containers starting at once in one process (the bench's stampede) spend that time
 * before the first of them can send its first command.
 */
class RedisStore implements Store {
  private readonly channels: RedisChangeChannels;
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly commandTimeoutMs: number,
  ) {
    this.channels = new RedisChangeChannels(redis, commandTimeoutMs);
  }

  /**
   * Commands are sent only on a ready connection. The first use connects (a cold container);
   * while ioredis reconnects, a command waits for it at most one command timeout.
   */
  private ready(): Promise<void> {
    const { redis } = this;
    if (redis.status === 'ready') return Promise.resolve();
    if (redis.status === 'wait') {
      // ioredis settles its connect() by itself, in bounded time: ready (no ready check, and AUTH
      // and SELECT are not waited for), or the connection closing (refused, or connectTimeout).
      this.connecting = redis.connect().finally(() => {
        this.connecting = undefined;
      });
    }
    if (this.connecting) return this.connecting;
    const limitMs = this.commandTimeoutMs;
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
    });
  }

  // Callers learn that the store failed, not ioredis's connection details. On a ready connection
  // the command is written at once, without a turn through a resolved promise.
  private guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let sent: Promise<T>;
    if (this.redis.status === 'ready') {
      try {
        sent = run();
      } catch (err) {
        sent = Promise.reject(err);
      }
    } else sent = this.ready().then(run);
    return sent.catch((err: unknown) => {
      throw new StoreUnavailableError(operation, {
        cause: err instanceof Error ? new Error(err.message) : undefined,
      });
    });
  }

  get(key: string) {
    return this.guard('get', () => this.redis.get(key));
  }

  set(key: string, value: string, ttlMs?: number) {
    return this.guard('set', async () => {
      if (ttlMs === undefined) await this.redis.set(key, value);
      else await this.redis.set(key, value, 'PX', px(ttlMs));
    });
  }

  setIfAbsent(key: string, value: string, ttlMs: number) {
    return this.guard('setIfAbsent', async () => (await this.redis.set(key, value, 'PX', px(ttlMs), 'NX')) === 'OK');
  }

  compareAndDelete(key: string, expected: string) {
    return this.guard(
      'compareAndDelete',
      async () => (await this.redis.eval(COMPARE_AND_DELETE, 1, key, expected)) === 1,
    );
  }

  delete(key: string) {
    return this.guard('delete', async () => {
      await this.redis.del(key);
    });
  }

  increment(key: string, ttlMs: number) {
    return this.guard('increment', async () =>
      Number(await this.redis.eval(INCREMENT_WITH_TTL, 1, key, String(px(ttlMs)))),
    );
  }

  getMany(keys: readonly string[]) {
    return this.guard('getMany', async () => (keys.length === 0 ? [] : this.redis.mget(...keys)));
  }

  getManyAndClaim(keys: readonly string[], { key, owner, ttlMs, unlessPresent }: ConditionalClaim) {
    return this.guard('getManyAndClaim', async (): Promise<ReadAndClaimed> => {
      // The arguments pushed into one array rather than spread into the call: every cold container
      // makes this call, where two spreads cost several µs.
      const args: (string | number)[] = [GET_MANY_AND_CLAIM, 1 + keys.length + unlessPresent.length, key];
      for (const k of keys) args.push(k);
      for (const k of unlessPresent) args.push(k);
      args.push(owner, String(px(ttlMs)), String(keys.length));
      const reply = (await this.redis.call('eval', args)) as (string | null)[];
      return { values: reply.slice(1), holder: reply[0] ?? null };
    });
  }

  takeWindowSlot({ key, limit, windowMs, at, id, ttlMs, counter }: WindowTake) {
    return this.guard('takeWindowSlot', async (): Promise<WindowTaken> => {
      const [taken, n] = (await this.redis.eval(
        TAKE_WINDOW_SLOT,
        2,
        key,
        counter.key,
        String(at),
        // Calls taken windowMs or more before `at` have left (ZREMRANGEBYSCORE's bound is inclusive).
        String(at - windowMs),
        String(limit),
        String(windowMs),
        id,
        String(px(ttlMs)),
        String(px(counter.ttlMs)),
        counter.limit === undefined ? '' : String(counter.limit),
      )) as [number, number];
      if (taken === 2) return { taken: false, counterFull: true };
      return taken === 1 ? { taken: true, count: n } : { taken: false, freeInMs: n };
    });
  }

  notifyChange(channel: string, message?: string) {
    return this.guard('notifyChange', () => this.channels.notifyChange(channel, message));
  }

  waitForChange(channel: string, afterVersion: string | null, timeoutMs: number) {
    return this.guard('waitForChange', () => this.channels.waitForChange(channel, afterVersion, timeoutMs));
  }

  async close() {
    const { redis } = this;
    if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
    else redis.disconnect();
  }
}
