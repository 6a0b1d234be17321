import { stableToken, token } from './endpoints';
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
  return async ({ forceRefresh }) => {
    const reply =
      kind === 'classic'
        ? await requestWeChat(token, { grant_type: 'client_credential', appid: appId, secret: appSecret }, transport)
        : await requestWeChat(
            stableToken,
            {
              grant_type: 'client_credential',
              appid: appId,
              secret: appSecret,
              ...(forceRefresh ? { force_refresh: true } : {}),
            },
            transport,
          );
    return { accessToken: reply.access_token, expiresInSeconds: reply.expires_in };
  };
}
