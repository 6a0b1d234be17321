import { describe, expect, it } from 'vitest';
import { takeClaim, takeClaimReading } from '../../../shared/store/claim';
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
    expect(reads).toBe(1);
    expect(await memory.get('k')).toBe('me');
  });
});

describe('takeClaimReading', () => {
  it('takes a free key and reads the other keys as they are after the SET NX', async () => {
    const store = createMemoryStore();
    await store.set('v', '1');
    expect(await takeClaimReading(store, 'k', 'me', 1_000, ['v', 'none'])).toEqual({
      claim: { ours: true },
      read: ['1', null],
    });
    expect(await store.get('k')).toBe('me');
  });

  it('recognises its own claim when the SET NX was re-sent and its second copy answered false', async () => {
    const memory = createMemoryStore();
    expect((await takeClaimReading(resendingSetIfAbsent(memory), 'k', 'me', 1_000, [])).claim).toEqual({ ours: true });
  });

  it('refuses a key another owner holds and tells who holds it, in one round trip', async () => {
    const store = createMemoryStore();
    await store.setIfAbsent('k', 'other', 1_000);
    let calls = 0;
    const counting: Store = {
      ...store,
      getMany: (keys) => {
        calls += 1;
        return store.getMany(keys);
      },
    };
    expect(await takeClaimReading(counting, 'k', 'me', 1_000, ['v'])).toEqual({
      claim: { ours: false, holder: 'other' },
      read: [null],
    });
    expect(calls).toBe(1);
    expect(await store.get('k')).toBe('other');
  });

  it('tries again when the holder let go between the SET NX and the read-back', async () => {
    const memory = createMemoryStore();
    await memory.setIfAbsent('k', 'other', 1_000);
    const releasing: Store = {
      ...memory,
      async getMany(keys) {
        await memory.compareAndDelete('k', 'other');
        return memory.getMany(keys);
      },
    };
    expect((await takeClaimReading(releasing, 'k', 'me', 1_000, [])).claim).toEqual({ ours: true });
    expect(await memory.get('k')).toBe('me');
  });
});
