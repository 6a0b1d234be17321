import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Store } from '../../../shared/store/store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The contract every Store adapter keeps; each adapter's test file runs it. */
export function storeContract(open: () => Promise<Store>) {
  let store: Store;
  let prefix: string;
  const key = (name: string) => `${prefix}:${name}`;

  beforeEach(async () => {
    store = await open();
    prefix = `t${Math.random().toString(36).slice(2)}`;
  });
  afterEach(async () => {
    await store.close();
  });

  it('reads back what it wrote, and null for a key never written', async () => {
    await store.set(key('a'), 'alpha');
    expect(await store.get(key('a'))).toBe('alpha');
    expect(await store.get(key('missing'))).toBeNull();
  });

  it('forgets a value once its TTL runs out', async () => {
    await store.set(key('short'), 'v', 80);
    await store.set(key('long'), 'v');
    expect(await store.get(key('short'))).toBe('v');
    await sleep(150);
    expect(await store.get(key('short'))).toBeNull();
    expect(await store.get(key('long'))).toBe('v');
  });

  it('sets a missing key only once, for exactly one of many concurrent callers', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setIfAbsent(key('lock'), `owner-${i}`, 5_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await store.get(key('lock'))).toBe(`owner-${winner}`);
  });

  it('lets a lock be taken again after its TTL runs out', async () => {
    expect(await store.setIfAbsent(key('lock'), 'first', 80)).toBe(true);
    expect(await store.setIfAbsent(key('lock'), 'second', 80)).toBe(false);
    await sleep(150);
    expect(await store.setIfAbsent(key('lock'), 'third', 80)).toBe(true);
    expect(await store.get(key('lock'))).toBe('third');
  });

  it('deletes on compare only while the key still holds the expected value', async () => {
    await store.set(key('token'), 'old');
    await store.set(key('token'), 'new');
    expect(await store.compareAndDelete(key('token'), 'old')).toBe(false);
    expect(await store.get(key('token'))).toBe('new');
    expect(await store.compareAndDelete(key('token'), 'new')).toBe(true);
    expect(await store.get(key('token'))).toBeNull();
    expect(await store.compareAndDelete(key('absent'), 'x')).toBe(false);
  });

  it('deletes unconditionally', async () => {
    await store.set(key('d'), 'v');
    await store.delete(key('d'));
    await store.delete(key('never'));
    expect(await store.get(key('d'))).toBeNull();
  });

  it('counts concurrent increments exactly', async () => {
    const values = await Promise.all(Array.from({ length: 25 }, () => store.increment(key('n'), 60_000)));
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(await store.get(key('n'))).toBe('25');
  });

  it('expires a counter with the TTL it was created with, not extended by later increments', async () => {
    expect(await store.increment(key('window'), 150)).toBe(1);
    await sleep(100);
    expect(await store.increment(key('window'), 150)).toBe(2);
    await sleep(100);
    expect(await store.increment(key('window'), 150)).toBe(1);
  });
}
