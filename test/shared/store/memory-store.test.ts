import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { storeContract } from './store-contract';

describe('createMemoryStore', () => {
  storeContract(async () => createMemoryStore(), { carriesMessages: true });

  it('lets go of expired keys nobody reads again, without losing live ones', async () => {
    let clock = 0;
    const store = createMemoryStore(() => clock);
    await store.set('kept', 'forever');
    await store.set('live', 'for a day', 86_400_000);
    // A callback's replay claims: written once, expiring after 10 minutes, never read again.
    for (let i = 0; i < 50_000; i += 1) {
      await store.setIfAbsent(`claim:${i}`, 'owner', 600_000);
      if (i % 1_000 === 999) clock += 60_000;
    }
    // 50 minutes of claims at 1,000 a minute, 10 minutes' worth live at any time: the store holds
    // at most about twice that between sweeps, not all 50,000.
    expect(store.size).toBeLessThan(25_000);
    expect(await store.get('kept')).toBe('forever');
    expect(await store.get('live')).toBe('for a day');
    expect(await store.get('claim:49999')).toBe('owner');
    expect(await store.get('claim:0')).toBeNull();
  });
});
