import { stableToken, token } from './endpoints';
import { AccessTokenError, isWeChatError, WeChatApiError, WeChatResponseError, WeChatTransportError } from './errors';
import { type RequestOptions, requestWeChat } from './request';
import type { TokenFetcher } from './access-token';
import { rememberSecret } from '../redact';
import type { HttpTransport } from '../transport/transport';

export interface TokenFetcherOptions {
  appId: string;
  appSecret: string;
  baseUrl: string;
  timeoutMs: number;
  /** `stable` (default) returns the same token to every caller while it is valid; `classic`
   *  issues a new token on each call and invalidates the previous one after 5 minutes. */
  kind: 'stable' | 'classic';
  transport?: HttpTransport;
  /** When WeChat rejects the AppSecret: a fresh one (the secret store was rotated), or undefined. */
  rereadAppSecret?: () => Promise<string | undefined>;
}

// What the token endpoints answer for a wrong AppSecret (40125 "invalid appsecret"; 40001 also).
const SECRET_REJECTED = [40001, 40125];

export function createTokenFetcher(options: TokenFetcherOptions): TokenFetcher {
  const { appId, kind, rereadAppSecret } = options;
  // Named, not an object rest: a cold container's rest costs several µs.
  const transport: RequestOptions = { baseUrl: options.baseUrl, timeoutMs: options.timeoutMs };
  if (options.transport) transport.transport = options.transport;
  let appSecret = options.appSecret;
  rememberSecret(appSecret);
  const fetchOnce = async (forceRefresh: boolean) => {
    const grant = { grant_type: 'client_credential', appid: appId, secret: appSecret } as const;
    const reply =
      kind === 'classic'
        ? await requestWeChat(token, grant, transport)
        : await requestWeChat(stableToken, { ...grant, ...(forceRefresh ? { force_refresh: true } : {}) }, transport);
    return { accessToken: reply.access_token, expiresInSeconds: reply.expires_in };
  };
  const fetchRotated = async (forceRefresh: boolean) => {
    try {
      return await fetchOnce(forceRefresh);
    } catch (err) {
      if (!rereadAppSecret || !isWeChatError(err, ...SECRET_REJECTED)) throw err;
      // Perhaps the AppSecret was rotated in the secret store: read it again (at most once a
      // minute, secret-env.ts) and, only if it changed, try once more. Never a loop on a wrong
      // secret.
      const fresh = await rereadAppSecret().catch(() => undefined);
      if (!fresh || fresh === appSecret) throw err;
      appSecret = fresh;
      rememberSecret(appSecret);
      return fetchOnce(forceRefresh);
    }
  };
  return async ({ forceRefresh }) => {
    try {
      return await fetchRotated(forceRefresh);
    } catch (err) {
      // A failed token call is a token failure to whoever wanted the token, whatever went wrong
      // (40125 wrong AppSecret, 40164 IP not whitelisted, a timeout); the cause says which.
      if (err instanceof WeChatApiError || err instanceof WeChatTransportError || err instanceof WeChatResponseError) {
        throw new AccessTokenError(`no access token: ${err.message}`, { cause: err });
      }
      throw err;
    }
  };
}
