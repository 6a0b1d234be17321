/**
 * The smallest shared key-value contract the product needs: the access-token cache and its
 * refresh lock, callback reports, idempotency records and shared rate counters.
 * Every adapter (memory, file, Redis) passes the same contract suite in test/shared/store/.
 * TTLs are milliseconds; a key whose TTL has run out reads as absent.
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
  close(): Promise<void>;
}

/** The store could not be reached or failed; whatever was being done has not happened. */
export class StoreUnavailableError extends Error {
  override readonly name = 'StoreUnavailableError';
  constructor(operation: string, options?: { cause?: unknown }) {
    super(`the shared store failed during ${operation}`, options);
  }
}
