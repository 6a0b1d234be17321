import type { Store } from '../../shared/store/store';
import { overriding } from './overriding-store';

/**
 * A store whose SET NX runs twice, as ioredis re-sends a command whose reply the dropped
 * connection lost: the first copy writes the key, and the caller sees the answer of the second,
 * false (getManyAndClaim's claim too: the second copy finds the key taken). `only` limits it to
 * the keys it accepts.
 */
export function resendingSetIfAbsent(store: Store, only: (key: string) => boolean = () => true): Store {
  return overriding(store, {
    async setIfAbsent(key, value, ttlMs) {
      if (!only(key)) return store.setIfAbsent(key, value, ttlMs);
      await store.setIfAbsent(key, value, ttlMs);
      return store.setIfAbsent(key, value, ttlMs);
    },
    async getManyAndClaim(keys, claim) {
      if (!only(claim.key)) return store.getManyAndClaim(keys, claim);
      await store.getManyAndClaim(keys, claim);
      return store.getManyAndClaim(keys, claim);
    },
  });
}
