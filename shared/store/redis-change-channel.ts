import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { ReplyError } from 'ioredis';
import { CHANNEL_TTL_MS, type ChannelChange, type Store } from './store';

// notifyChange appends its message to a stream of at most one entry (Redis ≥ 5.0), whose XREAD
// hands it to the waiters, and stores the entry's id, which grows with every notify, in the plain
// key as the channel's version, where getMany reads it with the data (one MGET). Waiters block in
// XREAD on the connection the container already has: a subscriber would need a second connection
// per container, and opening it costs a cold container more than the wait it saves. The stream's
// name carries the channel in braces, so that a Redis Cluster keeps both keys in one slot, as a
// script needs. Before Redis 5.0 (no XADD) the script stores the client's random version instead,
// so a read sent after the notify still sees it.
const NOTIFY_CHANGE =
  "local id = redis.pcall('xadd', KEYS[2], 'MAXLEN', '1', '*', 'm', ARGV[3]) " +
  "if type(id) == 'table' then id = ARGV[2] else redis.call('pexpire', KEYS[2], ARGV[1]) end " +
  "redis.call('set', KEYS[1], id, 'PX', ARGV[1]) return id";
const NO_VERSION = '0-0';
// Redis before 5.0 has no streams: waiters look this often. Tencent Cloud still offers 2.8 and 4.0
// without XADD/XREAD; 5.0, 6.2 and 7.0 have them in both architectures, the cluster one for keys
// of one slot (tencentcloud.com/document/product/239/50380).
const NO_STREAMS_POLL_MS = 20;
// While one wait blocks the connection, another channel's waiter looks this often (rare: two
// AppIDs refreshing in one container at the same moment).
const SHARED_POLL_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Any error the server answers (ERR unknown command, a proxy's "not supported") means no streams;
// a timeout or a lost connection is not an answer and fails the call as every command does.
const isRefusedByServer = (err: unknown) => err instanceof ReplyError;
const streamOf = (channel: string) => `{${channel}}:changes`;

type ChangeChannels = Pick<Store, 'notifyChange' | 'waitForChange'>;

/**
 * Store.notifyChange / waitForChange on one ioredis connection. A blocking XREAD holds the
 * connection: every command sent after it waits until it returns, and ioredis times out each
 * command after commandTimeoutMs. So at most one XREAD blocks at a time (waiters of the same
 * channel and version share it), and only for a third of the command timeout (250 ms at most),
 * then blocks again: whatever queues behind it still answers in time.
 */
export function redisChangeChannels(redis: Redis, commandTimeoutMs: number): ChangeChannels {
  const blockLimitMs = Math.max(1, Math.min(250, Math.floor(commandTimeoutMs / 3)));
  let streams = true;
  let blocking: { channel: string; afterVersion: string | null; read: Promise<ChannelChange | undefined> } | undefined;

  /** Runs a stream command; on a Redis without streams, remembers that and gives `fallback`. */
  async function withStreams<T>(run: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (!streams) return fallback();
    try {
      return await run();
    } catch (err) {
      if (!isRefusedByServer(err)) throw err;
      streams = false;
      return fallback();
    }
  }

  /** The change after `afterVersion`, waiting up to blockMs for it (0: only looks). */
  async function readAfter(
    channel: string,
    afterVersion: string | null,
    blockMs: number,
  ): Promise<ChannelChange | undefined> {
    const block = blockMs > 0 ? ['BLOCK', Math.ceil(blockMs)] : [];
    const from = afterVersion ?? NO_VERSION;
    const reply = (await redis.call('XREAD', 'COUNT', 1, ...block, 'STREAMS', streamOf(channel), from)) as
      | [string, [string, string[]][]][]
      | null;
    const entry = reply?.[0]?.[1][0];
    if (entry === undefined) return undefined;
    // Fields as [name, value, …]: the message is the value of `m`; '' stands for none.
    const message = entry[1][1];
    return message ? { version: entry[0], message } : { version: entry[0] };
  }

  async function waitOnStreams(channel: string, afterVersion: string | null, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      let change: ChannelChange | undefined;
      if (left > 0 && blocking === undefined) {
        const read = readAfter(channel, afterVersion, Math.min(left, blockLimitMs));
        const entry = { channel, afterVersion, read };
        blocking = entry;
        change = await read.finally(() => {
          if (blocking === entry) blocking = undefined;
        });
      } else if (left > 0 && blocking?.channel === channel && blocking.afterVersion === afterVersion) {
        change = await blocking.read;
      } else {
        // Queued behind the blocking read, if any: answers when that one returns.
        change = await readAfter(channel, afterVersion, 0);
        if (change === undefined && left > 0) await sleep(Math.min(left, SHARED_POLL_MS));
      }
      if (change !== undefined) return change;
      if (deadline - Date.now() <= 0) return { version: afterVersion };
    }
  }

  async function pollWithoutStreams(channel: string, afterVersion: string | null, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const version = await redis.get(channel);
      const left = deadline - Date.now();
      if (version !== afterVersion || left <= 0) return { version };
      await sleep(Math.min(left, NO_STREAMS_POLL_MS));
    }
  }

  return {
    async notifyChange(channel, message) {
      const fallback = `${Date.now()}-${randomUUID()}`;
      await redis.eval(NOTIFY_CHANGE, 2, channel, streamOf(channel), String(CHANNEL_TTL_MS), fallback, message ?? '');
    },
    waitForChange: (channel, afterVersion, timeoutMs) =>
      withStreams(
        () => waitOnStreams(channel, afterVersion, timeoutMs),
        () => pollWithoutStreams(channel, afterVersion, timeoutMs),
      ),
  };
}
