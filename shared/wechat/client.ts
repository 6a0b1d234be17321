import type { Endpoint } from './endpoints';
import { isTokenInvalid } from './errors';
import { requestWeChat } from './request';
import type { AccessTokenProvider } from './access-token';
import type { Logger } from '../log';
import type { HttpTransport } from '../transport/transport';

export interface WeChatClient {
  call<Req, Res>(endpoint: Endpoint<Req, Res>, body: Req, options?: CallOptions): Promise<Res>;
}

export interface CallOptions {
  /**
   * The provider's token, asked for earlier by a caller that had other store work to wait for
   * (a send's permit): its failure is this call's, as tokens.get()'s would be. A rejected token
   * is still replaced through the provider.
   */
  accessToken?: Promise<string>;
}

export interface WeChatClientOptions {
  baseUrl: string;
  timeoutMs: number;
  uploadTimeoutMs?: number;
  tokens: AccessTokenProvider;
  transport?: HttpTransport;
  log: Logger;
}

export function createWeChatClient(options: WeChatClientOptions): WeChatClient {
  const { tokens, log } = options;

  async function attempt<Req, Res>(endpoint: Endpoint<Req, Res>, body: Req, accessToken: string) {
    const started = Date.now();
    try {
      const result = await requestWeChat(endpoint, body, { ...options, accessToken });
      log.info('wechat call', { path: endpoint.path, errcode: 0, ms: Date.now() - started });
      return result;
    } catch (err) {
      log.warn('wechat call failed', { path: endpoint.path, ms: Date.now() - started, err });
      throw err;
    }
  }

  return {
    async call(endpoint, body, callOptions) {
      const accessToken = await (callOptions?.accessToken ?? tokens.get());
      try {
        return await attempt(endpoint, body, accessToken);
      } catch (err) {
        // 40001/40014/42001: the token was rejected (expired, or replaced by a classic `token`
        // call elsewhere). Drop exactly that token and try once more with a fresh one; any
        // other failure, above all of a mass send, is never repeated here.
        if (!isTokenInvalid(err)) throw err;
        await tokens.invalidate(accessToken);
        const fresh = await tokens.get();
        try {
          return await attempt(endpoint, body, fresh);
        } catch (again) {
          // Rejected twice: drop the second token too (no third try), so the next request starts
          // from a new one instead of reusing a dead token from the store until it expires.
          if (isTokenInvalid(again)) await tokens.invalidate(fresh);
          throw again;
        }
      }
    },
  };
}
