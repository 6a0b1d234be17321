/**
 * The smallest shared key-value contract the product needs: the access-token cache and its
 * refresh lock, callback reports, idempotency records and shared rate counters.
 * Every adapter (memory, file, Redis) passes the same contract suite in test/shared/store/.
 * TTLs are milliseconds; a key whose TTL has run out reads as absent.
 *
 * A read sees every write the same store was asked to make before it, also when both were
 * started together (Promise.all): Redis runs one connection's commands in order, the file store
 * lets a read wait for its pending writes.
 *
 * Waiting for another process (the access-token refresh): read the channel's version (the key
 * `channel`, which only notifyChange writes) in one getMany (or getManyAndClaim) with, and before,
 * the data it guards; if the data is not there yet, `waitForChange(channel, version, …)`. Whoever
 * changes the data calls `notifyChange(channel)` after writing it. A notify that lands between the read and the
 * wait still wakes the waiter, because the version it waits from was read first.
 */
export interface Store {
  get(key: string): Promise<string | null>;
  /** Writes unconditionally; without ttlMs the key does not expire. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Writes only when the key is absent; true when this call wrote it. Used as a lock. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Deletes only while the key still holds `expected`; true when this call deleted it. */
  compareAndDelete(key: string, expected: string): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Adds 1 and returns the new value; the TTL is set when the counter is created. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** The values of `keys` in their order, read at one moment where the adapter can (Redis: MGET). */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /**
   * A look and a claim in one step (one round trip on Redis, where a script does both at one
   * moment): `claim.key` is written for `claim.owner` (SET NX, `claim.ttlMs`) only while every key
   * of `claim.unlessPresent` is absent. `values` are those of `keys` right after the claim, and
   * `holder` is what `claim.key` holds then: the owner when this call took it (or an earlier copy
   * of it, re-sent after a lost reply: see takeClaim). On a Redis Cluster all the keys must share
   * one slot (a hash tag), as a script's keys must.
   */
  getManyAndClaim(keys: readonly string[], claim: ConditionalClaim): Promise<ReadAndClaimed>;
  /**
   * One call let into a sliding window and counted, in one step (one script on Redis): when the
   * window `take.key` holds fewer than `take.limit` calls taken within `take.windowMs` before
   * `take.at`, this one (`take.id`, at `take.at`) is added, the window kept `take.ttlMs`, and
   * `take.counter` incremented (as `increment`). A full window takes nothing and counts nothing.
   * On a Redis Cluster both keys must share one slot (a hash tag), as a script's keys must.
   */
  takeWindowSlot(take: WindowTake): Promise<WindowTaken>;
  /**
   * Writes a new unique version to the key `channel` (kept CHANNEL_TTL_MS) and wakes every
   * waitForChange(channel) caller, handing it `message` (what changed, which spares it a read)
   * where the adapter carries one.
   */
  notifyChange(channel: string, message?: string): Promise<void>;
  /**
   * Resolves once the channel's version is no longer `afterVersion` (null: none), at once if it
   * already is not, and after timeoutMs at the latest (with `afterVersion`). An adapter that
   * cannot block may resolve early with `afterVersion`: callers look again anyway.
   */
  waitForChange(channel: string, afterVersion: string | null, timeoutMs: number): Promise<ChannelChange>;
  close(): Promise<void>;
}

export interface ConditionalClaim {
  key: string;
  owner: string;
  ttlMs: number;
  /** Keys any of which, when present, leaves the claim untried. */
  unlessPresent: readonly string[];
}

export interface ReadAndClaimed {
  values: (string | null)[];
  holder: string | null;
}

export interface WindowTake {
  /** The window: the calls it holds and when each was taken, kept as the adapter sees fit. */
  key: string;
  limit: number;
  windowMs: number;
  /** The call's time (ms), by the caller's clock; calls taken `windowMs` or more before it have left. */
  at: number;
  /** Unique per call. */
  id: string;
  /** How long the window is kept after its last call. */
  ttlMs: number;
  /**
   * Counted once the call is let in; its TTL is set when it is created. Once it holds `limit`, a
   * call is neither let into the window nor counted (a call refused for the day must not take a
   * slot of the minute).
   */
  counter: { key: string; ttlMs: number; limit?: number };
}

/**
 * `count`: the counter after this call. `freeInMs`: how long until the earliest call leaves the
 * window. `counterFull`: the counter already held its limit; nothing was entered or counted.
 */
export type WindowTaken =
  | { taken: true; count: number }
  | { taken: false; freeInMs: number }
  | { taken: false; counterFull: true };

/** What waitForChange saw: the version, and the message of the notify that set it, if carried. */
export interface ChannelChange {
  version: string | null;
  message?: string;
}

/** How long a change channel's version is kept after its last notify; waiters wait seconds. */
export const CHANNEL_TTL_MS = 600_000;

/** The store could not be reached or failed; whatever was being done has not happened. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`the shared store failed during ${operation}`, options);
  }
}
