import { describe, expect, it } from 'vitest';
import { HttpError } from '../../../shared/http/http-error';
import * as z from 'zod/mini';
import { resolveClientMsgId, sendOnce, sendRecordKey, type Attempt } from '../../../shared/api/idempotency';
import { silentLogger } from '../../../shared/log';
import { createMemoryStore } from '../../../shared/store/memory-store';
import { StoreUnavailableError, type Store } from '../../../shared/store/store';
import { resendingSetIfAbsent } from '../../support/resending-store';

// What these tests record as a send's result; a stored one is parsed back with it.
const Result = z.string();
const options = (store: Store) => ({ store, appId: 'wx-app', log: silentLogger });

describe('resolveClientMsgId', () => {
  const request = { route: 'send-by-tag', audience: { tagId: 100 }, message: { type: 'text', content: 'Hi' } };
  it("keeps the caller's clientMsgId", () => {
    expect(resolveClientMsgId('mine', 'key', request)).toBe('mine');
  });
  it('derives the same 46-byte id from the same Idempotency-Key, however long the key', () => {
    const long = 'k'.repeat(255);
    expect(resolveClientMsgId(undefined, long, request)).toBe(resolveClientMsgId(undefined, long, {}));
    expect(Buffer.byteLength(resolveClientMsgId(undefined, long, request))).toBe(46);
  });
  it('ignores whitespace around the key', () => {
    expect(resolveClientMsgId(undefined, ' abc ', request)).toBe(resolveClientMsgId(undefined, 'abc', request));
  });
  it('rejects a key longer than 255 characters', () => {
    expect(() => resolveClientMsgId(undefined, 'k'.repeat(256), request)).toThrow(HttpError);
  });
  it('otherwise derives a 46-byte id from the request, whatever the order of its keys', () => {
    const reordered = { message: { content: 'Hi', type: 'text' }, audience: { tagId: 100 }, route: 'send-by-tag' };
    const id = resolveClientMsgId(undefined, undefined, request);
    expect(id).toMatch(/^dg-[\w-]{43}$/);
    expect(resolveClientMsgId(undefined, undefined, reordered)).toBe(id);
  });
  it('derives another id from another message or audience', () => {
    const id = resolveClientMsgId(undefined, undefined, request);
    expect(resolveClientMsgId(undefined, undefined, { ...request, audience: { tagId: 101 } })).not.toBe(id);
    const other = { ...request, message: { type: 'text', content: 'Hi!' } };
    expect(resolveClientMsgId(undefined, undefined, other)).not.toBe(id);
  });
});

describe('sendOnce', () => {
  const done =
    (result: string): (() => Promise<Attempt<string>>) =>
    async () => ({ kind: 'done', result });

  it('records a result and replays it without a second attempt', async () => {
    const store = createMemoryStore();
    let attempts = 0;
    const attempt = async (): Promise<Attempt<string>> => ({ kind: 'done', result: `sent-${++attempts}` });
    expect(await sendOnce(options(store), 'c1', 'fp', Result, attempt)).toEqual({ replayed: false, result: 'sent-1' });
    expect(await sendOnce(options(store), 'c1', 'fp', Result, attempt)).toEqual({ replayed: true, result: 'sent-1' });
    expect(attempts).toBe(1);
  });

  it('recognises its own claim when the store re-sent the SET NX whose reply was lost', async () => {
    const memory = createMemoryStore();
    const resending = resendingSetIfAbsent(memory);
    let attempts = 0;
    const attempt = async (): Promise<Attempt<string>> => ({ kind: 'done', result: `sent-${++attempts}` });
    expect(await sendOnce(options(resending), 'c1', 'fp', Result, attempt)).toEqual({
      replayed: false,
      result: 'sent-1',
    });
    expect(await sendOnce(options(memory), 'c1', 'fp', Result, attempt)).toEqual({ replayed: true, result: 'sent-1' });
    expect(attempts).toBe(1);
  });

  it('takes back its marker when the store stalled on the claim, so that the retry is not held off', async () => {
    const memory = createMemoryStore();
    // The SET NX reaches Redis, but its answer comes after the command timeout.
    const stalled: Store = {
      ...memory,
      async setIfAbsent(key, value, ttlMs) {
        await memory.setIfAbsent(key, value, ttlMs);
        throw new StoreUnavailableError('setIfAbsent');
      },
    };
    await expect(sendOnce(options(stalled), 'c1', 'fp', Result, done('never'))).rejects.toBeInstanceOf(
      StoreUnavailableError,
    );
    expect(await memory.get(sendRecordKey('wx-app', 'c1'))).toBeNull();
    expect(await sendOnce(options(memory), 'c1', 'fp', Result, done('sent'))).toEqual({
      replayed: false,
      result: 'sent',
    });
  });

  it('lets exactly one of many concurrent calls attempt; the rest get 409', async () => {
    const store = createMemoryStore();
    let attempts = 0;
    const slow = async (): Promise<Attempt<string>> => {
      attempts++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return { kind: 'done', result: 'sent' };
    };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => sendOnce(options(store), 'c1', 'fp', Result, slow)),
    );
    expect(attempts).toBe(1);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected')) {
      expect(o.reason).toMatchObject({ status: 409, code: 'send_in_progress' });
    }
  });

  it('releases the id after a definite failure', async () => {
    const store = createMemoryStore();
    const failure = new Error('45011');
    await expect(
      sendOnce(options(store), 'c1', 'fp', Result, async () => ({ kind: 'failed', error: failure })),
    ).rejects.toBe(failure);
    expect(await sendOnce(options(store), 'c1', 'fp', Result, done('sent'))).toEqual({
      replayed: false,
      result: 'sent',
    });
  });

  it('after an unknown outcome lets one retry attempt again', async () => {
    const store = createMemoryStore();
    const timeout = new Error('timeout');
    await expect(
      sendOnce(options(store), 'c1', 'fp', Result, async () => ({ kind: 'unknown', error: timeout })),
    ).rejects.toBe(timeout);
    expect(await store.get(sendRecordKey('wx-app', 'c1'))).toContain('"unknown"');
    expect(await sendOnce(options(store), 'c1', 'fp', Result, done('duplicate'))).toEqual({
      replayed: false,
      result: 'duplicate',
    });
  });

  const cases: Array<[string, Attempt<string>, (result: string) => boolean]> = [
    ['an unknown outcome', { kind: 'unknown', error: new Error('timeout') }, () => false],
    ['a send awaiting confirmation, asked again', { kind: 'done', result: 'awaiting' }, () => true],
  ];
  it.each(cases)(
    'keeps the record of %s when a retry fails before WeChat says anything new',
    async (_, first, askAgain) => {
      const store = createMemoryStore();
      const key = sendRecordKey('wx-app', 'c1');
      await sendOnce(options(store), 'c1', 'fp', Result, async () => first, askAgain).catch(() => {});
      const before = await store.get(key);
      const busy = new Error('-1 system busy');
      await expect(
        sendOnce(options(store), 'c1', 'fp', Result, async () => ({ kind: 'failed', error: busy }), askAgain),
      ).rejects.toBe(busy);
      expect(await store.get(key)).toBe(before);
      await expect(sendOnce(options(store), 'c1', 'fp-b', Result, done('other'), askAgain)).rejects.toMatchObject({
        status: 422,
      });
    },
  );

  it('keeps the record it took over when the retry throws before reaching WeChat', async () => {
    const store = createMemoryStore();
    const key = sendRecordKey('wx-app', 'c1');
    const timeout = new Error('timeout');
    await expect(
      sendOnce(options(store), 'c1', 'fp', Result, async () => ({ kind: 'unknown', error: timeout })),
    ).rejects.toBe(timeout);
    const before = await store.get(key);
    const storeDown = new StoreUnavailableError('takeWindowSlot');
    await expect(
      sendOnce(options(store), 'c1', 'fp', Result, async () => {
        throw storeDown;
      }),
    ).rejects.toBe(storeDown);
    expect(await store.get(key)).toBe(before);
  });

  it('answers 422 when the id was used for another body', async () => {
    const store = createMemoryStore();
    await sendOnce(options(store), 'c1', 'fp-a', Result, done('sent'));
    await expect(sendOnce(options(store), 'c1', 'fp-b', Result, done('other'))).rejects.toMatchObject({
      status: 422,
      code: 'client_msg_id_reused',
    });
  });

  it("lets a dead container's pending marker expire", async () => {
    const store = createMemoryStore();
    await store.setIfAbsent(
      sendRecordKey('wx-app', 'c1'),
      JSON.stringify({ state: 'pending', fingerprint: 'fp', owner: 'dead' }),
      1,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await sendOnce(options(store), 'c1', 'fp', Result, done('sent'))).toEqual({
      replayed: false,
      result: 'sent',
    });
  });

  it("does not release a later request's claim when a failure arrives after its own claim expired", async () => {
    const store = createMemoryStore();
    const failure = new Error('45011');
    let later: Promise<unknown> | undefined;
    let finishLater!: () => void;
    const slowFailure = async (): Promise<Attempt<string>> => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      // This claim has expired; a retry claims the same clientMsgId and is still calling WeChat.
      later = sendOnce(
        options(store),
        'c1',
        'fp',
        Result,
        () =>
          new Promise<Attempt<string>>((resolve) => (finishLater = () => resolve({ kind: 'done', result: 'sent' }))),
      );
      await new Promise((resolve) => setTimeout(resolve, 1));
      return { kind: 'failed', error: failure };
    };
    await expect(sendOnce({ ...options(store), pendingTtlMs: 1 }, 'c1', 'fp', Result, slowFailure)).rejects.toBe(
      failure,
    );

    await expect(sendOnce(options(store), 'c1', 'fp', Result, done('twice'))).rejects.toMatchObject({
      status: 409,
      code: 'send_in_progress',
    });
    finishLater();
    expect(await later).toEqual({ replayed: false, result: 'sent' });
  });

  it.each([
    ['not JSON', '{"state":'],
    ['not a record', '"done"'],
    ['a done record without its result', '{"state":"done","fingerprint":"fp"}'],
    ['a done record whose result is not a result', '{"state":"done","fingerprint":"fp","result":42}'],
  ])('treats a stored record that is %s as an unknown outcome and sends', async (_, raw) => {
    const store = createMemoryStore();
    await store.set(sendRecordKey('wx-app', 'c1'), raw);
    expect(await sendOnce(options(store), 'c1', 'fp', Result, done('sent'))).toEqual({
      replayed: false,
      result: 'sent',
    });
    expect(await sendOnce(options(store), 'c1', 'fp', Result, done('again'))).toEqual({
      replayed: true,
      result: 'sent',
    });
  });

  it("returns WeChat's answer even when the store cannot record it", async () => {
    const store = createMemoryStore();
    const broken: Store = { ...store, set: async () => Promise.reject(new Error('store down')) };
    const lines: unknown[] = [];
    const log = { ...silentLogger, error: (message: string) => void lines.push(message) };
    expect(await sendOnce({ store: broken, appId: 'wx-app', log }, 'c1', 'fp', Result, done('sent'))).toEqual({
      replayed: false,
      result: 'sent',
    });
    expect(lines).toEqual(['could not record the outcome of a send']);
  });
});
