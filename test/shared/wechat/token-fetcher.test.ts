import { describe, expect, it } from 'vitest';
import {
  AccessTokenError,
  WeChatApiError,
  WeChatResponseError,
  WeChatTransportError,
} from '../../../shared/wechat/errors';
import { createTokenFetcher, type TokenFetcherOptions } from '../../../shared/wechat/token-fetcher';
import { useWeChatMock, WECHAT_ORIGIN } from '../../support/mock-wechat';

const SECRET = 'fetcher-secret-0123456789';

describe('createTokenFetcher', () => {
  const mock = useWeChatMock();
  const fetcher = (kind: TokenFetcherOptions['kind'] = 'stable') =>
    createTokenFetcher({
      appId: 'wxfetch000000001',
      appSecret: SECRET,
      baseUrl: WECHAT_ORIGIN,
      timeoutMs: 200,
      kind,
      transport: mock.transport,
    });

  it('returns the token and its lifetime', async () => {
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, '{"access_token":"FETCHED_TOKEN","expires_in":7200}');
    expect(await fetcher()({ forceRefresh: false })).toEqual({ accessToken: 'FETCHED_TOKEN', expiresInSeconds: 7200 });
  });

  it("throws a token error whose cause is WeChat's errcode (40125: wrong AppSecret)", async () => {
    mock.wechat
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
    mock.wechat.intercept({ path: /^\/cgi-bin\/token\?/, method: 'GET' }).reply(503, 'busy');
    const err = await fetcher('classic')({ forceRefresh: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatTransportError);
    expect((err as Error).message).not.toContain(SECRET);
  });

  it('throws a token error whose cause is an unreadable reply', async () => {
    mock.wechat.intercept({ path: '/cgi-bin/stable_token', method: 'POST' }).reply(200, '{"expires_in":7200}');
    const err = await fetcher()({ forceRefresh: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AccessTokenError);
    expect((err as Error).cause).toBeInstanceOf(WeChatResponseError);
  });
});

describe('createTokenFetcher when WeChat rejects the AppSecret', () => {
  const mock = useWeChatMock();
  /** Answers stable_token: a token for `good`, errcode 40125 for any other secret. */
  function stableTokenAccepting(good: string, times: number): string[] {
    const secrets: string[] = [];
    mock.wechat
      .intercept({ path: '/cgi-bin/stable_token', method: 'POST' })
      .reply(200, (opts) => {
        const { secret } = JSON.parse(String(opts.body)) as { secret: string };
        secrets.push(secret);
        return secret === good
          ? { access_token: 'TOKEN_AFTER_ROTATION', expires_in: 7200 }
          : { errcode: 40125, errmsg: 'invalid appsecret' };
      })
      .times(times);
    return secrets;
  }

  const rotatingFetcher = (rereadAppSecret?: () => Promise<string | undefined>) =>
    createTokenFetcher({
      appId: 'wx0123456789abcdef',
      appSecret: 'appsecret-before-rotation',
      baseUrl: 'https://api.weixin.qq.com',
      timeoutMs: 1000,
      kind: 'stable',
      transport: mock.transport,
      rereadAppSecret,
    });

  it('re-reads the secret store once and retries with the rotated AppSecret', async () => {
    const sent = stableTokenAccepting('appsecret-after-rotation', 2);
    let rereads = 0;
    const fetchToken = rotatingFetcher(async () => {
      rereads++;
      return 'appsecret-after-rotation';
    });
    expect(await fetchToken({ forceRefresh: false })).toEqual({
      accessToken: 'TOKEN_AFTER_ROTATION',
      expiresInSeconds: 7200,
    });
    expect(sent).toEqual(['appsecret-before-rotation', 'appsecret-after-rotation']);
    expect(rereads).toBe(1);
  });

  it('keeps the rotated AppSecret for the next token call', async () => {
    const sent = stableTokenAccepting('appsecret-after-rotation', 3);
    const fetchToken = rotatingFetcher(async () => 'appsecret-after-rotation');
    await fetchToken({ forceRefresh: false });
    await fetchToken({ forceRefresh: false });
    expect(sent).toEqual(['appsecret-before-rotation', 'appsecret-after-rotation', 'appsecret-after-rotation']);
  });

  it('gives up at once when the store holds the same AppSecret, never looping on a wrong one', async () => {
    const sent = stableTokenAccepting('appsecret-nobody-has', 1);
    const fetchToken = rotatingFetcher(async () => 'appsecret-before-rotation');
    const failure = await fetchToken({ forceRefresh: false }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AccessTokenError);
    expect(((failure as AccessTokenError).cause as WeChatApiError).errcode).toBe(40125);
    expect(sent).toHaveLength(1);
  });

  it('gives up when the re-read was already used in this container', async () => {
    const sent = stableTokenAccepting('appsecret-after-rotation', 1);
    const failure = await rotatingFetcher(async () => undefined)({ forceRefresh: false }).catch((e: unknown) => e);
    expect(((failure as AccessTokenError).cause as WeChatApiError).errcode).toBe(40125);
    expect(sent).toHaveLength(1);
  });
});
