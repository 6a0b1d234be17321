import { stableToken, token } from './endpoints';
import { AccessTokenError, WeChatApiError, WeChatResponseError, WeChatTransportError } from './errors';
import { requestWeChat } from './request';
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
}

export function createTokenFetcher(options: TokenFetcherOptions): TokenFetcher {
  const { appId, appSecret, kind, ...transport } = options;
  rememberSecret(appSecret);
  const grant = { grant_type: 'client_credential', appid: appId, secret: appSecret } as const;
  return async ({ forceRefresh }) => {
    try {
      const reply =
        kind === 'classic'
          ? await requestWeChat(token, grant, transport)
          : await requestWeChat(stableToken, { ...grant, ...(forceRefresh ? { force_refresh: true } : {}) }, transport);
      return { accessToken: reply.access_token, expiresInSeconds: reply.expires_in };
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
