import type { MockAgent } from 'undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  WeChatApiError,
  WeChatResponseError,
  WeChatTransportError,
} from '../../../shared/wechat/errors';
import { createTokenFetcher, type TokenFetcherOptions } from '../../../shared/wechat/token-fetcher';
import { createWeChatMock, WECHAT_ORIGIN } from '../../support/mock-wechat';
import { undiciTransport } from '../../support/undici-transport';

const SECRET = 'fetcher-secret-0123456789';

describe('createTokenFetcher', () => {
  let agent: MockAgent;
  let wechat: ReturnType<MockAgent['get']>;
  beforeEach(() => {
    ({ agent, wechat } = createWeChatMock());
  });
  afterEach(async () => {
    agent.assertNoPendingInterceptors();
    await agent.close();
  });

  const fetcher = (kind: TokenFetcherOptions['kind'] = 'stable') =>
    createTokenFetcher({
      appId: 'wxfetch000000001',
      appSecret: SECRET,
      baseUrl: WECHAT_ORIGIN,
      timeoutMs: 200,
      kind,
      transport: undiciTransport(agent),
    });

  it('returns the token and its lifetime', async () => {
    wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"access_token":"FETCHED_TOKEN","expires_in":7200}');
    expect(await fetcher()({ forceRefresh: false })).toEqual({ accessToken: 'FETCHED_TOKEN', expiresInSeconds: 7200 });
  });

  it("throws a token error whose cause is WeChat's errcode (40125: wrong AppSecret)", async () => {
    wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"errcode":40125,"errmsg":"invalid appsecret"}');
    const err = await fetcher()({ forceRefresh: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatApiError);
    expect((err as Error).cause).toMatchObject({ errcode: 40125, path: '/cgi-bin/stable_token' });
    expect((err as Error).message).toContain('40125');
    expect((err as Error).message).not.toContain(SECRET);
  });

  it('throws a token error whose cause is the transport failure of the classic token call', async () => {
    wechat.intercept({ path: /^\/cgi-bin\/token\?/, method: 'GET' }).reply(503, 'busy');
    const err = await fetcher('classic')({ forceRefresh: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatTransportError);
    expect((err as Error).message).not.toContain(SECRET);
  });

  it('throws a token error whose cause is an unreadable reply', async () => {
    wechat.intercept({ path: '/cgi-bin/stable_token', method: 'POST' }).reply(200, '{"expires_in":7200}');
    const err = await fetcher()({ forceRefresh: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatResponseError);
  });
});
