import { randomUUID } from 'node:crypto';
import { takeClaim } from '../store/claim';
import type { Store } from '../store/store';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Another writer held the key for longer than the wait; nothing was changed. */
export class LockBusyError extends Error {
  override readonly name = 'LockBusyError';
  constructor(key: string) {
    super(`the record ${key} stayed locked by another writer`);
  }
}

/**
 * Read-modify-write of one key, serialised across containers by a lock key next to it. The
 * store offers no compare-and-set, so every writer of such a key goes through here. The lock
 * is a lease (`leaseMs`): a writer that dies holding it blocks the key only that long.
 * `change` returns the new value, or undefined to leave the key as it is.
 */
export async function updateLocked<T>(
  store: Store,
  key: string,
  change: (current: string | null) => { value?: string; result: T } | Promise<{ value?: string; result: T }>,
  options: { leaseMs?: number; waitMs?: number } = {},
): Promise<T> {
  const { leaseMs = 10_000, waitMs = 5_000 } = options;
  const lock = `${key}:lock`;
  const owner = randomUUID();
  const started = Date.now();
  for (let attempt = 0; !(await takeClaim(store, lock, owner, leaseMs)).ours; attempt++) {
    if (Date.now() - started > waitMs) throw new LockBusyError(key);
    await sleep(Math.min(2 + attempt * 2, 25));
  }
  try {
    const { value, result } = await change(await store.get(key));
    if (value !== undefined) await store.set(key, value);
    return result;
  } finally {
    await store.compareAndDelete(lock, owner);
  }
}
