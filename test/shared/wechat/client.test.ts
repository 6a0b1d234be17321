import { beforeEach, describe, expect, it } from 'vitest';
import { accessTokenKeys, createAccessTokenProvider } from '../../../shared/wechat/access-token';
import { createWeChatClient } from '../../../shared/wechat/client';
import { massSendAll } from '../../../shared/wechat/endpoints';
import { WeChatApiError, WeChatTransportError } from '../../../shared/wechat/errors';
import { createTokenFetcher } from '../../../shared/wechat/token-fetcher';
import { createLogger } from '../../../shared/log';
import { createMemoryStore } from '../../../shared/store/memory-store';
import type { Store } from '../../../shared/store/store';
import { collectLogs, useWeChatMock, WECHAT_ORIGIN } from '../../support/mock-wechat';

const APP_ID = 'wxabcdef0123456789';
const SECRET = 'the-app-secret-value-42';
const SEND = {
  filter: { is_to_all: true },
  msgtype: 'text' as const,
  text: { content: 'hello' },
  clientmsgid: 'job-1',
};

describe('createWeChatClient', () => {
  const mock = useWeChatMock();
  let store: Store;
  let logs: ReturnType<typeof collectLogs>;
  let tokenCalls: number;
  let issued: string[];

  function client() {
    const log = createLogger({}, logs.sink);
    const tokens = createAccessTokenProvider({
      appId: APP_ID,
      store,
      log,
      fetchToken: createTokenFetcher({
        appId: APP_ID,
        appSecret: SECRET,
        baseUrl: WECHAT_ORIGIN,
        timeoutMs: 1_000,
        kind: 'stable',
        transport: mock.transport,
      }),
    });
    return createWeChatClient({
      baseUrl: WECHAT_ORIGIN,
      timeoutMs: 1_000,
      transport: mock.transport,
      tokens,
      log,
    });
  }

  /** Records which token each sendall carried, answering with the given replies in turn. */
  function serveSendAll(replies: Array<[number, string]>): string[] {
    const seen: string[] = [];
    for (const [status, body] of replies) {
      mock.wechat
        .intercept({ path: /^\/cgi-bin\/message\/mass\/sendall\?access_token=/, method: 'POST' })
        .reply(status, (opts) => {
          seen.push(new URL(opts.path, WECHAT_ORIGIN).searchParams.get('access_token')!);
          return body;
        });
    }
    return seen;
  }

  beforeEach(() => {
    store = createMemoryStore();
    logs = collectLogs();
    tokenCalls = 0;
    issued = ['TOKEN_ONE_aaaaaaaa', 'TOKEN_TWO_bbbbbbbb', 'TOKEN_THREE_cccccc'];
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, () => JSON.stringify({ access_token: issued[tokenCalls++], expires_in: 7200 }))
      .persist();
  });

  it('retries once with a fresh token after 40001 and succeeds', async () => {
    const seen = serveSendAll([
      [200, '{"errcode":40001,"errmsg":"invalid credential"}'],
      [200, '{"errcode":0,"errmsg":"ok","msg_id":3147483649}'],
    ]);
    const reply = await client().call(massSendAll, SEND);
    expect(reply.msg_id).toBe('3147483649');
    expect(seen).toEqual(['TOKEN_ONE_aaaaaaaa', 'TOKEN_TWO_bbbbbbbb']);
  });

  it('gives up after the one retry when the fresh token is rejected too (42001)', async () => {
    const seen = serveSendAll([
      [200, '{"errcode":42001,"errmsg":"access_token expired"}'],
      [200, '{"errcode":42001,"errmsg":"access_token expired"}'],
    ]);
    const err = await client()
      .call(massSendAll, SEND)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WeChatApiError);
    expect(err).toMatchObject({ errcode: 42001 });
    expect(seen).toHaveLength(2);
  });

  it('drops both rejected tokens, so the next request starts from a new one', async () => {
    const c = client();
    serveSendAll([
      [200, '{"errcode":40001,"errmsg":"invalid credential"}'],
      [200, '{"errcode":40001,"errmsg":"invalid credential"}'],
    ]);
    await expect(c.call(massSendAll, SEND)).rejects.toMatchObject({ errcode: 40001 });
    const seen = serveSendAll([[200, '{"errcode":0,"msg_id":7}']]);
    await c.call(massSendAll, SEND);
    expect(seen).toEqual(['TOKEN_THREE_cccccc']);
  });

  it('uses the newer token another container stored when its own stale one is rejected', async () => {
    const stale = client();
    serveSendAll([[200, '{"errcode":0,"msg_id":1}']]);
    await stale.call(massSendAll, SEND); // caches TOKEN_ONE in this container's memory
    // Another container refreshed with the classic endpoint: TOKEN_ONE is dead, NEWER is stored.
    await store.set(
      accessTokenKeys(APP_ID).token,
      JSON.stringify({ token: 'NEWER_FROM_ELSEWHERE', expiresAt: Date.now() + 7_000_000 }),
    );
    const seen = serveSendAll([
      [200, '{"errcode":40001,"errmsg":"invalid credential"}'],
      [200, '{"errcode":0,"msg_id":2}'],
    ]);
    await stale.call(massSendAll, SEND);
    expect(seen).toEqual(['TOKEN_ONE_aaaaaaaa', 'NEWER_FROM_ELSEWHERE']);
    expect(tokenCalls).toBe(1);
    expect(JSON.parse((await store.get(accessTokenKeys(APP_ID).token))!).token).toBe('NEWER_FROM_ELSEWHERE');
  });

  it.each([
    ['HTTP 503', 503, 'unavailable'],
    ['system busy (-1)', 200, '{"errcode":-1,"errmsg":"system error"}'],
    ['per-minute limit (45011)', 200, '{"errcode":45011,"errmsg":"api minute-quota reach limit"}'],
  ])('never repeats a mass send that failed with %s', async (_name, status, body) => {
    const seen = serveSendAll([[status, body]]);
    const err = await client()
      .call(massSendAll, SEND)
      .catch((e: unknown) => e);
    expect(err instanceof WeChatApiError || err instanceof WeChatTransportError).toBe(true);
    expect(seen).toHaveLength(1);
  });

  it('logs each call without the access token or the AppSecret', async () => {
    serveSendAll([
      [200, '{"errcode":40001,"errmsg":"invalid credential, access_token is TOKEN_ONE_aaaaaaaa"}'],
      [200, '{"errcode":0,"msg_id":5}'],
    ]);
    await client().call(massSendAll, SEND);
    const text = logs.lines.join('\n');
    expect(logs.lines.length).toBeGreaterThanOrEqual(2);
    expect(text).toContain('/cgi-bin/message/mass/sendall');
    for (const secret of [SECRET, ...issued.slice(0, 2)]) expect(text).not.toContain(secret);
  });
});
