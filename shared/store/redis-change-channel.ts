import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';
import { ReplyError } from 'ioredis';
import { CHANNEL_TTL_MS, type ChannelChange, type Store } from './store';

// notifyChange appends its message to a stream of at most one entry (Redis ≥ 5.0), whose XREAD
// hands it to the waiters, and stores the entry's id, which grows with every notify, in the plain
// key as the channel's version, which a look reads with the data (one round trip). Waiters block in
// XREAD on the connection the container already has: a subscriber would need a second connection
// per container, and opening it costs a cold container more than the wait it saves. The stream
// shares the channel's Redis Cluster slot (streamOf), as a script's keys must. Before Redis 5.0
// (no XADD) the script stores the client's random version instead, so a read sent after the
// notify still sees it.
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

/**
 * The stream of a channel, in the channel's Redis Cluster slot: a cluster hashes only the text
 * in a key's first {…} when there is some, so a channel with a hash tag lends it to its stream,
 * and any other channel's whole name becomes the stream's tag.
 */
export function streamOf(channel: string): string {
  const open = channel.indexOf('{');
  const close = open < 0 ? -1 : channel.indexOf('}', open + 1);
  return close > open + 1 ? `${channel}:changes` : `{${channel}}:changes`;
}

type Blocking = { channel: string; afterVersion: string | null; read: Promise<ChannelChange | undefined> };

/**
 * Store.notifyChange / waitForChange on one ioredis connection. A blocking XREAD holds the
 * connection: every command sent after it waits until it returns, and ioredis times out each
 * command after commandTimeoutMs. So at most one XREAD blocks at a time (waiters of the same
 * channel and version share it), and only for a third of the command timeout (250 ms at most),
 * then blocks again: whatever queues behind it still answers in time.
 */
export class RedisChangeChannels implements Pick<Store, 'notifyChange' | 'waitForChange'> {
  private readonly blockLimitMs: number;
  private streams = true;
  private blocking: Blocking | undefined;

  constructor(
    private readonly redis: Redis,
    commandTimeoutMs: number,
  ) {
    this.blockLimitMs = Math.max(1, Math.min(250, Math.floor(commandTimeoutMs / 3)));
  }

  async notifyChange(channel: string, message?: string): Promise<void> {
    const fallback = `${Date.now()}-${randomUUID()}`;
    await this.redis.eval(
      NOTIFY_CHANGE,
      2,
      channel,
      streamOf(channel),
      String(CHANNEL_TTL_MS),
      fallback,
      message ?? '',
    );
  }

  async waitForChange(channel: string, afterVersion: string | null, timeoutMs: number): Promise<ChannelChange> {
    if (!this.streams) return this.pollWithoutStreams(channel, afterVersion, timeoutMs);
    try {
      return await this.waitOnStreams(channel, afterVersion, timeoutMs);
    } catch (err) {
      if (!isRefusedByServer(err)) throw err;
      // No streams on this server: remembered for the connection's life.
      this.streams = false;
      return this.pollWithoutStreams(channel, afterVersion, timeoutMs);
    }
  }

  /** The change after `afterVersion`, waiting up to blockMs for it (0: only looks). */
  private async readAfter(
    channel: string,
    afterVersion: string | null,
    blockMs: number,
  ): Promise<ChannelChange | undefined> {
    const stream = streamOf(channel);
    const from = afterVersion ?? NO_VERSION;
    const reply = (await (blockMs > 0
      ? this.redis.call('xread', 'COUNT', 1, 'BLOCK', Math.ceil(blockMs), 'STREAMS', stream, from)
      : this.redis.call('xread', 'COUNT', 1, 'STREAMS', stream, from))) as [string, [string, string[]][]][] | null;
    const entry = reply?.[0]?.[1][0];
    if (entry === undefined) return undefined;
    // Fields as [name, value, …]: the message is the value of `m`; '' stands for none.
    const message = entry[1][1];
    return message ? { version: entry[0], message } : { version: entry[0] };
  }

  private async waitOnStreams(channel: string, afterVersion: string | null, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      const { blocking } = this;
      let change: ChannelChange | undefined;
      if (left > 0 && blocking === undefined) {
        const read = this.readAfter(channel, afterVersion, Math.min(left, this.blockLimitMs));
        const entry = { channel, afterVersion, read };
        this.blocking = entry;
        change = await read.finally(() => {
          if (this.blocking === entry) this.blocking = undefined;
        });
      } else if (left > 0 && blocking?.channel === channel && blocking.afterVersion === afterVersion) {
        change = await blocking.read;
      } else {
        // Queued behind the blocking read, if any: answers when that one returns.
        change = await this.readAfter(channel, afterVersion, 0);
        if (change === undefined && left > 0) await sleep(Math.min(left, SHARED_POLL_MS));
      }
      if (change !== undefined) return change;
      if (deadline - Date.now() <= 0) return { version: afterVersion };
    }
  }

  private async pollWithoutStreams(channel: string, afterVersion: string | null, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const version = await this.redis.get(channel);
      const left = deadline - Date.now();
      if (version !== afterVersion || left <= 0) return { version };
      await sleep(Math.min(left, NO_STREAMS_POLL_MS));
    }
  }
}
