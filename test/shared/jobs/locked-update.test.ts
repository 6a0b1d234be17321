import { describe, expect, it } from 'vitest';
import { LockBusyError, updateLocked } from '../../../shared/jobs/locked-update';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { resendingSetIfAbsent } from '../../support/resending-store';

const bump = (current: string | null) => {
  const value = String(Number(current ?? '0') + 1);
  return { value, result: value };
};

describe('updateLocked', () => {
  it('changes the key under its lock and gives the lock back', async () => {
    const store = createMemoryStore();
    expect(await updateLocked(store, 'counter', bump)).toBe('1');
    expect(await store.get('counter')).toBe('1');
    expect(await store.get('counter:lock')).toBeNull();
  });

  it('takes the lock at once when its SET NX was re-sent after a lost reply: it reads back as its own', async () => {
    const memory = createMemoryStore();
    // A lease far longer than the wait: mistaking its own lock for another's would end in LockBusyError.
    const options = { leaseMs: 60_000, waitMs: 200 };

    expect(await updateLocked(resendingSetIfAbsent(memory), 'counter', bump, options)).toBe('1');
    expect(await memory.get('counter')).toBe('1');
    expect(await memory.get('counter:lock')).toBeNull();
  });

  it("waits for another writer's lock, then refuses without changing anything or touching that lock", async () => {
    const store = createMemoryStore();
    await store.set('counter', '7');
    await store.setIfAbsent('counter:lock', 'another-writer', 60_000);

    await expect(updateLocked(resendingSetIfAbsent(store), 'counter', bump, { waitMs: 50 })).rejects.toBeInstanceOf(
      LockBusyError,
    );
    expect(await store.get('counter')).toBe('7');
    expect(await store.get('counter:lock')).toBe('another-writer');
  });

  it('gives back only its own lock: one another writer took after this lease ran out stays', async () => {
    const store = createMemoryStore();
    await updateLocked(store, 'counter', async (current) => {
      await store.set('counter:lock', 'next-writer', 60_000);
      return bump(current);
    });
    expect(await store.get('counter:lock')).toBe('next-writer');
  });
});
