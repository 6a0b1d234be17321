import type { Store } from '../../shared/store/store';

/**
 * `store` with some methods replaced, for tests that put a race or a fault in one call. A store
 * can be a class instance (the Redis store), whose methods an object spread would not copy.
 */
export function overriding(store: Store, overrides: Partial<Store>): Store {
  return {
    get: (key) => store.get(key),
    set: (key, value, ttlMs) => store.set(key, value, ttlMs),
    setIfAbsent: (key, value, ttlMs) => store.setIfAbsent(key, value, ttlMs),
    compareAndDelete: (key, expected) => store.compareAndDelete(key, expected),
    delete: (key) => store.delete(key),
    increment: (key, ttlMs) => store.increment(key, ttlMs),
    getMany: (keys) => store.getMany(keys),
    getManyAndClaim: (keys, claim) => store.getManyAndClaim(keys, claim),
    takeWindowSlot: (take) => store.takeWindowSlot(take),
    notifyChange: (channel, message) => store.notifyChange(channel, message),
    waitForChange: (channel, afterVersion, timeoutMs) => store.waitForChange(channel, afterVersion, timeoutMs),
    close: () => store.close(),
    ...overrides,
  };
}
