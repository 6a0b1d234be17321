import type { Store } from '../../shared/store/store';

/**
 * A store whose SET NX runs twice, as ioredis re-sends a command whose reply the dropped
 * connection lost: the first copy writes the key, and the caller sees the answer of the second,
 * false. `only` limits it to the keys it accepts.
 */
export function resendingSetIfAbsent(store: Store, only: (key: string) => boolean = () => true): Store {
  return {
    ...store,
    async setIfAbsent(key, value, ttlMs) {
      if (!only(key)) return store.setIfAbsent(key, value, ttlMs);
      await store.setIfAbsent(key, value, ttlMs);
      return store.setIfAbsent(key, value, ttlMs);
    },
  };
}
