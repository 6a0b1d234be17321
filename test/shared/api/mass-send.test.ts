import { describe, expect, it } from 'vitest';
import { sendMass, type SendDeps } from '../../../shared/api/mass-send';
import { HttpError } from '../../../shared/http/http-error';
import type { MassSendLimit, Permit } from '../../../shared/jobs/mass-send-limit';
import { silentLogger } from '../../../shared/log';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { HttpRequest } from '../../../shared/transport/transport';
import type { AccessTokenProvider } from '../../../shared/wechat/access-token';
import { createWeChatClient } from '../../../shared/wechat/client';
import { massSend } from '../../../shared/wechat/endpoints';
import { AccessTokenError } from '../../../shared/wechat/errors';

/** A promise settled from outside, and whether it has settled yet. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

/** sendMass with a token provider and a permit each settled by the test, and a recorded WeChat. */
function setup(reply = '{"errcode":0,"errmsg":"send job submission success","msg_id":1000000001}') {
  const token = deferred<string>();
  const permit = deferred<Permit>();
  const events: string[] = [];
  const requests: HttpRequest[] = [];
  const tokens: AccessTokenProvider = {
    get: () => {
      events.push('token asked');
      return token.promise;
    },
    invalidate: async () => {},
  };
  const massSendLimit: MassSendLimit = {
    take: () => {
      events.push('permit asked');
      return permit.promise;
    },
    exhaustToday: async () => {
      events.push('day exhausted');
    },
    usedToday: async () => 0,
  };
  const client = createWeChatClient({
    baseUrl: 'https://api.weixin.qq.com',
    timeoutMs: 1_000,
    tokens,
    log: silentLogger,
    transport: async (request) => {
      requests.push(request);
      return { status: 200, headers: {}, body: new TextEncoder().encode(reply) };
    },
  });
  const store = createMemoryStore();
  const deps: SendDeps = { client, store, appId: 'wx-app', log: silentLogger, massSendLimit, tokens };
  const text = { msgtype: 'text' as const, text: { content: 'hi' } };
  const send = () =>
    sendMass(deps, {
      endpoint: massSend,
      body: { touser: ['o1', 'o2'], ...text },
      clientMsgId: 'c-1',
      fields: {},
    });
  return { token, permit, events, requests, store, send };
}

describe('sendMass', () => {
  it('takes the permit only once the token is in hand, and sends with that token', async () => {
    const { token, permit, events, requests, send } = setup();
    const sending = send();
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['token asked']);
    token.resolve('TOKEN');
    await new Promise((r) => setTimeout(r, 10));
    expect(events).toEqual(['token asked', 'permit asked']);
    permit.resolve({ ok: true });
    const answer = await sending;
    expect(answer).toMatchObject({ status: 200, body: { msgId: '1000000001', clientMsgId: 'c-1' } });
    expect(requests).toHaveLength(1);
    expect(requests[0]!.url.searchParams.get('access_token')).toBe('TOKEN');
    // The token was asked for once: the client took the one already asked for.
    expect(events).toEqual(['token asked', 'permit asked']);
  });

  it('answers a refused permit with 429 and calls WeChat not at all', async () => {
    const { token, permit, requests, send } = setup();
    const sending = send();
    token.resolve('TOKEN');
    permit.resolve({ ok: false, limit: 'day', retryAfterMs: 3_600_000, until: Date.now() + 3_600_000 });
    const refused = await sending.catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HttpError);
    expect(refused).toMatchObject({ status: 429 });
    expect(requests).toHaveLength(0);
  });

  // A wrong AppSecret or a missing IP whitelist entry must not spend the day's 100 calls.
  it('fails the send with the token failure without taking a permit, and frees the clientMsgId', async () => {
    const { token, events, requests, store, send } = setup();
    const sending = send();
    token.reject(new AccessTokenError('WeChat refused the AppSecret'));
    const failed = await sending.catch((err: unknown) => err);
    expect(failed).toBeInstanceOf(HttpError);
    expect(events).toEqual(['token asked']);
    expect(requests).toHaveLength(0);
    expect(await store.get('mass:send:wx-app:c-1')).toBeNull();
  });

  it('marks the shared day used up when WeChat answers 45009, and answers 429', async () => {
    const { token, permit, events, send } = setup('{"errcode":45009,"errmsg":"reach max api daily quota limit"}');
    const sending = send();
    token.resolve('TOKEN');
    permit.resolve({ ok: true });
    expect(await sending.catch((err: unknown) => err)).toMatchObject({ status: 429 });
    expect(events).toEqual(['token asked', 'permit asked', 'day exhausted']);
  });

  it('passes on a store failure of the permit, with no call made', async () => {
    const { token, permit, requests, send } = setup();
    const sending = send();
    token.resolve('TOKEN');
    permit.reject(new Error('the store failed'));
    await expect(sending).rejects.toThrow('the store failed');
    expect(requests).toHaveLength(0);
  });
});
