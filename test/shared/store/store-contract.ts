import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store } from '../../../shared/store/store';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether a promise has settled by now (after pending timers and I/O of this turn). */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await sleep(0);
  return done;
}

/** The contract every Store adapter keeps; each adapter's test file runs it. */
export function storeContract(open: () => Promise<Store>, options: { carriesMessages: boolean }) {
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

  it('reads several keys at once, in the order asked, null for a missing one', async () => {
    await store.set(key('a'), 'alpha');
    await store.set(key('b'), 'beta');
    expect(await store.getMany([key('b'), key('missing'), key('a')])).toEqual(['beta', null, 'alpha']);
    expect(await store.getMany([])).toEqual([]);
  });

  describe('looking and claiming in one step', () => {
    const claimOf = (owner: string, unlessPresent = [key('token'), key('failure')]) => ({
      key: key('lock'),
      owner,
      ttlMs: 5_000,
      unlessPresent,
    });

    it('claims when none of the keys it depends on is there, and reads the keys after the claim', async () => {
      await store.set(key('version'), 'v1');
      const looked = await store.getManyAndClaim([key('version'), key('token'), key('lock')], claimOf('me'));
      expect(looked).toEqual({ values: ['v1', null, 'me'], holder: 'me' });
      expect(await store.get(key('lock'))).toBe('me');
    });

    it('leaves the claim untried while one of the keys it depends on is there', async () => {
      await store.set(key('failure'), 'it failed');
      const looked = await store.getManyAndClaim([key('token'), key('failure')], claimOf('me'));
      expect(looked).toEqual({ values: [null, 'it failed'], holder: null });
      expect(await store.get(key('lock'))).toBeNull();
    });

    it("tells who holds the key when another caller's claim is there, and keeps it", async () => {
      expect(await store.setIfAbsent(key('lock'), 'another', 5_000)).toBe(true);
      const looked = await store.getManyAndClaim([key('token')], claimOf('me'));
      expect(looked).toEqual({ values: [null], holder: 'another' });
      expect(await store.get(key('lock'))).toBe('another');
    });

    it('reads a claim of its own owner, re-sent after a lost reply, as its own', async () => {
      await store.getManyAndClaim([key('token')], claimOf('me'));
      expect(await store.getManyAndClaim([key('token')], claimOf('me'))).toEqual({ values: [null], holder: 'me' });
    });

    it('lets exactly one of many concurrent callers claim', async () => {
      const looks = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.getManyAndClaim([key('token')], claimOf(`owner-${i}`))),
      );
      const holders = new Set(looks.map((l) => l.holder));
      expect(holders.size).toBe(1);
      const [holder] = holders;
      expect(holder).toMatch(/^owner-\d+$/);
      expect(await store.get(key('lock'))).toBe(holder);
    });

    it('claims for the TTL it was given', async () => {
      await store.getManyAndClaim([], { ...claimOf('first'), ttlMs: 80 });
      await sleep(150);
      expect(await store.getManyAndClaim([], claimOf('second'))).toEqual({ values: [], holder: 'second' });
    });
  });

  describe('letting a call into a sliding window', () => {
    const WINDOW = 60_000;
    const AT = 1_000_000_000;
    const takeAt = (
      at: number,
      id: string,
      options: { limit?: number; ttlMs?: number; counterTtlMs?: number; counterLimit?: number } = {},
    ) =>
      store.takeWindowSlot({
        key: key('minute'),
        limit: options.limit ?? 3,
        windowMs: WINDOW,
        at,
        id,
        ttlMs: options.ttlMs ?? 5_000,
        counter: {
          key: key('day'),
          ttlMs: options.counterTtlMs ?? 60_000,
          ...(options.counterLimit === undefined ? {} : { limit: options.counterLimit }),
        },
      });

    it('lets calls in up to the limit and counts each, then says when the earliest leaves', async () => {
      expect(await takeAt(AT - 30_000, 'a')).toEqual({ taken: true, count: 1 });
      expect(await takeAt(AT - 10_000, 'b')).toEqual({ taken: true, count: 2 });
      expect(await takeAt(AT, 'c')).toEqual({ taken: true, count: 3 });
      expect(await takeAt(AT, 'd')).toEqual({ taken: false, freeInMs: WINDOW - 30_000 });
      expect(await store.get(key('day'))).toBe('3');
    });

    it('lets a call in once the earliest has been in the window for windowMs, and not a moment before', async () => {
      await takeAt(AT, 'a');
      await takeAt(AT + 1_000, 'b');
      await takeAt(AT + 2_000, 'c');
      expect(await takeAt(AT + WINDOW - 1, 'd')).toEqual({ taken: false, freeInMs: 1 });
      expect(await takeAt(AT + WINDOW, 'd')).toEqual({ taken: true, count: 4 });
      expect(await takeAt(AT + WINDOW, 'e')).toEqual({ taken: false, freeInMs: 1_000 });
    });

    it('neither lets a call in nor counts it once the counter holds its limit', async () => {
      expect(await takeAt(AT, 'a', { counterLimit: 2 })).toEqual({ taken: true, count: 1 });
      expect(await takeAt(AT, 'b', { counterLimit: 2 })).toEqual({ taken: true, count: 2 });
      for (const id of ['c', 'd', 'e']) {
        expect(await takeAt(AT, id, { counterLimit: 2 })).toEqual({ taken: false, counterFull: true });
      }
      expect(await store.get(key('day'))).toBe('2');
      // The refused calls took no slot: the window's third place is still free.
      expect(await takeAt(AT, 'f')).toEqual({ taken: true, count: 3 });
    });

    it('counts a call into the counter only when it is let in', async () => {
      for (const id of ['a', 'b', 'c', 'd', 'e']) await takeAt(AT, id);
      expect(await store.get(key('day'))).toBe('3');
    });

    it('lets exactly `limit` of many concurrent callers in, and counts each once', async () => {
      const takes = await Promise.all(Array.from({ length: 12 }, (_, i) => takeAt(AT, `owner-${i}`)));
      const taken = takes.filter((t) => t.taken);
      expect(taken).toHaveLength(3);
      expect(taken.map((t) => t.count).sort()).toEqual([1, 2, 3]);
      expect(await store.get(key('day'))).toBe('3');
    });

    it('forgets the window after its TTL, and keeps the counter for the TTL it was created with', async () => {
      for (const id of ['a', 'b', 'c']) await takeAt(AT, id, { ttlMs: 80, counterTtlMs: 150 });
      await sleep(100);
      expect(await takeAt(AT, 'd', { counterTtlMs: 150 })).toEqual({ taken: true, count: 4 });
      await sleep(100);
      expect(await takeAt(AT, 'e', { counterTtlMs: 150 })).toEqual({ taken: true, count: 1 });
    });
  });

  it('lets a read started together with earlier writes see them', async () => {
    const [, taken, value, both] = await Promise.all([
      store.set(key('a'), 'v1'),
      store.setIfAbsent(key('lock'), 'me', 5_000),
      store.get(key('a')),
      store.getMany([key('lock'), key('a')]),
    ]);
    expect([taken, value, both]).toEqual([true, 'v1', ['me', 'v1']]);
    const before = await store.get(key('ch'));
    const [, after] = await Promise.all([store.notifyChange(key('ch')), store.get(key('ch'))]);
    expect(after).not.toBe(before);
  });

  describe('waiting for a change', () => {
    it('wakes a waiter when the channel is notified, and hands it the new version', async () => {
      const before = await store.get(key('ch'));
      const waiting = store.waitForChange(key('ch'), before, 10_000);
      await sleep(50);
      expect(await settled(waiting)).toBe(false);
      await store.notifyChange(key('ch'));
      const after = await waiting;
      expect(after.version).not.toBeNull();
      expect(after.version).not.toBe(before);
      expect(after.version).toBe(await store.get(key('ch')));
      expect(after.message).toBeUndefined();
    });

    if (options.carriesMessages) {
      it('hands the waiters it wakes the message of the notify', async () => {
        const before = await store.get(key('ch'));
        const waiting = store.waitForChange(key('ch'), before, 10_000);
        await sleep(20);
        await store.notifyChange(key('ch'), '{"token":"NEW"}');
        expect((await waiting).message).toBe('{"token":"NEW"}');
        // A waiter that comes later and has not seen that version gets it too.
        expect(await store.waitForChange(key('ch'), before, 0)).toEqual(await waiting);
        await store.notifyChange(key('ch'));
        expect((await store.waitForChange(key('ch'), before, 0)).message).toBeUndefined();
      });
    } else {
      // An adapter that cannot carry the message still wakes its waiters; they read the store.
      it('wakes the waiters of a notify with a message, without the message', async () => {
        const before = await store.get(key('ch'));
        const waiting = store.waitForChange(key('ch'), before, 10_000);
        await sleep(20);
        await store.notifyChange(key('ch'), '{"token":"NEW"}');
        const change = await waiting;
        expect(change.version).not.toBe(before);
        expect(change.version).toBe(await store.get(key('ch')));
        expect(change.message).toBeUndefined();
      });
    }

    it('wakes every waiter of the channel at once, and none of another channel', async () => {
      await store.notifyChange(key('ch'));
      const before = await store.get(key('ch'));
      const other = store.waitForChange(key('other'), await store.get(key('other')), 1_000);
      const waiters = Array.from({ length: 5 }, () => store.waitForChange(key('ch'), before, 10_000));
      await sleep(20);
      await store.notifyChange(key('ch'));
      const versions = (await Promise.all(waiters)).map((change) => change.version);
      expect(new Set(versions).size).toBe(1);
      expect(versions[0]).not.toBe(before);
      expect(await settled(other)).toBe(false);
      expect(await other).toEqual({ version: null });
    });

    it('returns at once when a notify landed between reading the version and starting to wait', async () => {
      const [before] = await store.getMany([key('ch'), key('data')]);
      // Another process writes the data and notifies after this one's read and before its wait.
      await store.set(key('data'), 'landed');
      await store.notifyChange(key('ch'));
      const started = performance.now();
      expect((await store.waitForChange(key('ch'), before ?? null, 10_000)).version).not.toBe(before);
      expect(performance.now() - started).toBeLessThan(5_000);
    });

    it('gives up at its timeout with the unchanged version when nothing is notified', async () => {
      await store.notifyChange(key('ch'));
      const before = await store.get(key('ch'));
      const waiting = store.waitForChange(key('ch'), before, 300);
      await sleep(150);
      expect(await settled(waiting)).toBe(false);
      expect(await waiting).toEqual({ version: before });
      // A timeout of 0 only looks.
      expect(await store.waitForChange(key('ch'), before, 0)).toEqual({ version: before });
    });

    it('changes the version with every notify, starting from none', async () => {
      const first = await store.get(key('fresh'));
      await store.notifyChange(key('fresh'));
      const second = await store.get(key('fresh'));
      await store.notifyChange(key('fresh'));
      const third = await store.get(key('fresh'));
      expect(first).toBeNull();
      expect(new Set([first, second, third]).size).toBe(3);
      expect((await store.waitForChange(key('fresh'), first, 0)).version).toBe(third);
    });
  });
}
