import { describe, expect, it } from 'vitest';
import { takeClaim } from '../../../shared/store/claim';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { Store } from '../../../shared/store/store';
import { resendingSetIfAbsent } from '../../support/resending-store';

describe('takeClaim', () => {
  it('takes a free key for its owner', async () => {
    const store = createMemoryStore();
    expect(await takeClaim(store, 'k', 'me', 1_000)).toEqual({ ours: true });
    expect(await store.get('k')).toBe('me');
  });

  it('recognises its own claim when the SET NX was re-sent and its second copy answered false', async () => {
    const memory = createMemoryStore();
    expect(await takeClaim(resendingSetIfAbsent(memory), 'k', 'me', 1_000)).toEqual({ ours: true });
    expect(await memory.get('k')).toBe('me');
  });

  it('refuses a key another owner holds and tells who holds it, leaving that claim alone', async () => {
    const store = createMemoryStore();
    await store.setIfAbsent('k', 'other', 1_000);
    expect(await takeClaim(resendingSetIfAbsent(store), 'k', 'me', 1_000)).toEqual({ ours: false, holder: 'other' });
    expect(await store.get('k')).toBe('other');
  });

  it('tries again when the holder let go between the SET NX and the read-back', async () => {
    const memory = createMemoryStore();
    await memory.setIfAbsent('k', 'other', 1_000);
    let reads = 0;
    const releasing: Store = {
      ...memory,
      async get(key) {
        reads += 1;
        await memory.compareAndDelete(key, 'other');
        return memory.get(key);
      },
    };
    expect(await takeClaim(releasing, 'k', 'me', 1_000)).toEqual({ ours: true });
    // The read-back travels with each SET NX (one round trip): once per round, two rounds.
    expect(reads).toBe(2);
    expect(await memory.get('k')).toBe('me');
  });
});
